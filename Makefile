# The two commands of the README, and a few more.
#   make demo   install what is missing, build, and run `callpop demo`
#   make test   install what is missing and run the whole test suite
#   make bench  callpop vs a panoramisk script vs plain C on the recorded AMI streams (scripts/bench.sh)
.PHONY: all deps build demo test bench release clean

all: build

deps:
	scripts/deps.sh

build: deps
	swift build

demo: build
	.build/debug/callpop demo

test:
	scripts/test.sh

bench: deps
	scripts/bench.sh

release: deps
	swift build -c release --static-swift-stdlib

clean:
	rm -rf .build

include packaging/deb.mk
