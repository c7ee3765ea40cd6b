# The two commands of the README, and a few more.
#   make demo        install what building and running need, build, and run `callpop demo`
#   make test        install that and the test tools, and run the whole test suite
#   make bench       callpop vs a panoramisk script vs plain C on the recorded AMI streams (scripts/bench.sh)
#   make install     release build, then install under PREFIX (default /usr/local), in DESTDIR
#                    when given: the same files as the .deb (packaging/install-manifest.txt);
#                    BINARY=path installs a callpop built already instead
#   make uninstall   remove them again (same PREFIX and DESTDIR)
#   make sizes       the sizes docs/install.md quotes, measured on a release build and .deb
.PHONY: all deps build demo test bench release install uninstall sizes clean

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
