print("ParquetInterop: not yet built")
