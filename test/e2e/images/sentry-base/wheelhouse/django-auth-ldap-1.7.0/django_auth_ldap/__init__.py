version = (1, 7, 0)
version_string = "1.7.0"
