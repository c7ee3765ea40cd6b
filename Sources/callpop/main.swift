print("callpop: under construction")
