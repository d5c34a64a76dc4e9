import FuzzSupport

Fuzzer.run(fuzzOne)
