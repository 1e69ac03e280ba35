# civicloop — the two commands of the README are `make run` and `make test`; the rest help.
#   make run    install what is missing, build, load the Pingcheng preset (demo) into SQLite, serve
#   make test   install what is missing, build under ASan+UBSan and the fuzz targets, run every test
#               (PostgreSQL, browser, a short run of each fuzz target)
#   make build  release build of the server and the web app
#   make bench  benchmarks (docs/PERFORMANCE.md); bash bench/fuzz.sh runs the fuzz targets for long
#   make fmt    format the C++ sources with .clang-format
#   make tidy   clang-tidy over the sources
SHELL := /bin/bash
DB ?= sqlite:var/civicloop.db
LISTEN ?= 127.0.0.1:8080
WEB_SOURCES := $(shell find web/src web/public -type f 2>/dev/null) web/index.html web/package.json \
               scripts/compress-web.sh \
               web/package-lock.json $(wildcard web/vite.config.* web/tsconfig*.json)

.PHONY: deps build run test bench fmt tidy clean

deps:
	@bash scripts/deps.sh

web/dist/index.html: $(WEB_SOURCES)
	@bash scripts/deps.sh
	cd web && npm run build
	bash scripts/compress-web.sh web/dist
	@touch $@

build: deps web/dist/index.html
	cmake --preset release >/dev/null
	cmake --build --preset release --target civicloop

run: build
	@mkdir -p var
	./build/release/civicloop init --preset pingcheng --demo --db $(DB)
	@echo
	@echo "  平城区创建全国文明城市指挥平台 → http://$(LISTEN)/"
	@echo "  登录 / sign in: admin / Demo@2026 (HQ administrator); other demo logins above"
	@echo
	exec ./build/release/civicloop serve --db $(DB) --listen $(LISTEN)

test: deps web/dist/index.html
	cmake --preset asan >/dev/null
	cmake --build --preset asan
	cmake --preset fuzz >/dev/null
	cmake --build --preset fuzz
	CIVICLOOP_REQUIRE_PG=1 bash scripts/with-pg.sh ctest --preset asan

bench: build
	cmake --build --preset release
	bash bench/run.sh

fmt:
	clang-format -i $$(git ls-files '*.cpp' '*.hpp')

tidy:
	cmake --preset asan >/dev/null
	clang-tidy -p build/asan --quiet $$(git ls-files 'src/*.cpp')

clean:
	rm -rf build web/dist
