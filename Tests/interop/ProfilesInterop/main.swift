print("ProfilesInterop: not yet built")
