# The two commands of the README, and a few more.
#   make demo        install what building and running need, build, and run `callpop demo`
#   make test        install that and the test tools, and run the whole test suite
#   make bench       callpop vs a panoramisk script vs plain C on the recorded AMI streams (scripts/bench.sh)
#   make install     release build, then install under PREFIX (default /usr/local), in DESTDIR
#                    when given: the same files as the .deb (packaging/install-manifest.txt);
#                    BINARY=path installs a callpop built already instead
#   make uninstall   remove them again (same PREFIX and DESTDIR)
#   make sizes       the sizes docs/install.md quotes, measured on a release build and .deb
#   make fuzz        every fuzz target for 10 million executions (hours; Fuzz/README.md)
#   make fuzz-smoke  every fuzz target for 30 s in all, as `make test` does
#   make soak        the fault soak in its long form (scripts/fault-soak.sh)
.PHONY: all deps build demo test bench release install uninstall sizes clean fuzz fuzz-smoke soak

PREFIX ?= /usr/local
DESTDIR ?=
RELEASE_FLAGS = -c release --static-swift-stdlib

all: build

deps:
	scripts/deps.sh

build: deps
	swift build

demo: build
	.build/debug/callpop demo

test:
	scripts/test.sh

bench:
	scripts/deps.sh --test
	scripts/bench.sh

fuzz: deps
	Fuzz/run.sh long

fuzz-smoke: deps
	Fuzz/run.sh smoke 30

soak:
	scripts/fault-soak.sh

release: deps
	swift build $(RELEASE_FLAGS) --product callpop

install: $(if $(BINARY),,release)
	scripts/install.sh --prefix "$(PREFIX)" --destdir "$(DESTDIR)" \
	    --binary "$(if $(BINARY),$(BINARY),$$(swift build $(RELEASE_FLAGS) --show-bin-path)/callpop)"

uninstall:
	scripts/install.sh --uninstall --prefix "$(PREFIX)" --destdir "$(DESTDIR)"

sizes: packaging-deps
	scripts/sizes.sh

clean:
	rm -rf .build

include packaging/deb.mk
