print("lazywheel")
