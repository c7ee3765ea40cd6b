# The two commands of the README, and a few more.
#   make demo   install what is missing, build, and run `callpop demo`
#   make test   install what is missing and run the whole test suite
#   make fuzz   run every fuzz target for 10 million executions (hours; Fuzz/README.md)
.PHONY: all deps build demo test release clean fuzz fuzz-smoke

all: build

deps:
	scripts/deps.sh

build: deps
	swift build

demo: build
	.build/debug/callpop demo

test:
	scripts/test.sh

fuzz: deps
	Fuzz/run.sh long

fuzz-smoke: deps
	Fuzz/run.sh smoke 30

release: deps
	swift build -c release --static-swift-stdlib

clean:
	rm -rf .build

include packaging/deb.mk
