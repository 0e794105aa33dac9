# Thin front end over CMake: one command for each thing a person wants.
#
#   make            build the libraries, tests, examples and tools (gcc or $CC)
#   make test       build, then run the whole suite through ctest
#   make demo       build, then run the scenario tour
#   make bench      build the benchmarks and their Go twins; print weft vs Go
#   make install    build, then install under PREFIX (default /usr/local; DESTDIR honoured)
#   make clean
#
# CC selects the compiler (make test CC=clang); BUILD the build folder
# (default build, or build-clang for CC=clang); SANITIZE=address|thread builds
# the sanitizer flavour of everything.
CC ?= cc
SANITIZE ?=
# gcc 12 rejects atomic_thread_fence under -fsanitize=thread (-Werror=tsan),
# so the TSan flavour defaults to clang unless CC is given explicitly.
ifeq ($(SANITIZE)$(origin CC),threaddefault)
  CC := clang
endif
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
ifeq ($(origin BUILD),undefined)
  BUILD := build$(if $(filter clang%,$(notdir $(CC))),-clang,)$(if $(SANITIZE),-$(SANITIZE),)
endif
CMAKE_FLAGS ?=
PREFIX ?= /usr/local

.PHONY: all build test demo bench install clean

all: build

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_C_COMPILER=$(CC) -DWEFT_SANITIZE=$(SANITIZE) $(CMAKE_FLAGS)

build: $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

demo: build
	@if [ -x $(BUILD)/tools/weft-demo ]; then $(BUILD)/tools/weft-demo; \
	 else sh examples/demo.sh $(BUILD); fi

bench: build
	sh bench/run.sh $(BUILD)

# Headers, both library flavours (static and shared), the weft driver,
# weft.pc/weft-race.pc and the CMake package (cmake/install.cmake).
install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

clean:
	rm -rf build build-*
