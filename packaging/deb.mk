# Packaging targets, included by the top-level Makefile (`include packaging/deb.mk`).
#   make deb             build out/callpop_<version>_<arch>.deb (release build, static Swift runtime)
#   make packaging-test  build it, lintian it, install it with apt-get and exercise the installed files
.PHONY: deb packaging-deps packaging-test

packaging-deps:
	scripts/deps.sh --packaging

deb: packaging-deps
	packaging/build-deb.sh

packaging-test: packaging-deps
	scripts/packaging-test.sh
