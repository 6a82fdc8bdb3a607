# SPDX-License-Identifier: GPL-2.0-or-later
# Thin wrapper over meson/ninja. The real build is meson.build.
BUILD ?= build
SUITES ?=

.PHONY: all deps check check-slow check-asan demo bench clean distclean

all: $(BUILD)/build.ninja
	ninja -C $(BUILD)

$(BUILD)/build.ninja:
	./configure --builddir=$(BUILD)

deps:
	scripts/install-deps.sh --tests

check: deps all
	meson test -C $(BUILD) --print-errorlogs --no-rebuild \
	    --suite unit --suite guest --suite tcg --suite functional $(SUITES)

check-slow: deps all
	meson test -C $(BUILD) --print-errorlogs --no-rebuild --timeout-multiplier 4

check-asan: deps
	[ -f build-asan/build.ninja ] || ./configure --builddir=build-asan --enable-sanitizers
	ninja -C build-asan
	meson test -C build-asan --print-errorlogs --no-rebuild --suite unit --suite guest

demo: deps all
	scripts/demo.sh $(BUILD)

bench: deps all
	bench/run-all.sh $(BUILD)

clean:
	[ ! -f $(BUILD)/build.ninja ] || ninja -C $(BUILD) clean

distclean:
	rm -rf build build-asan
