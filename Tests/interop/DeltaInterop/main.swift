print("DeltaInterop: not yet built")
