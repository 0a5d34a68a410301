# TermoGest developer targets (GNU make).
#
#   make demo         local server with demo data on http://127.0.0.1:8000/
#                     (RESET=1 recreates the database)
#   make test         the test suite on SQLite, then on a throwaway PostgreSQL
#   make deps         system packages the tests need (chromium, postgresql)
#   make bench        benchmarks on a PostgreSQL cluster (bench/RESULTS.md)
#   make clean        remove build/ and test-artifacts/ (keeps .venv)
#
# See /work/shared/TRYTON_NOTES.md sections 4, 5, 6 and 12.

SHELL := /bin/bash
.ONESHELL:
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
BIN := .venv/bin
PGBIN ?= /usr/lib/postgresql/15/bin
CHROMIUM ?= /usr/bin/chromium
# sao and its dependencies are pinned: sao/package-lock.json is the lock file
# of this exact version (regenerate it with npm install when bumping).
SAO_VERSION := 8.0.11

# Modules activated in the demo database: add new addons here.
MODULES := termogest_permessi termogest_clienti termogest_impianti termogest_agenda \
	termogest_fatturapa termogest_mobile
# The official FatturaPA schema (not redistributed): validated against when
# present; without it the SdI checks still run (see README).
FATTURAPA_XSD ?= $(wildcard $(CURDIR)/../shared/fatturapa/xsd)

# Each backend's tests run in two processes: these addons, and the others
# with tests/.
GROUP_1 := addons/termogest_agenda addons/termogest_fatturapa
GROUP_2 = $(filter-out $(GROUP_1),$(wildcard addons/termogest_*)) tests

DB := termogest
# The "admin" e-mail, empty by default: the demo accounts have their own.
ADMIN_EMAIL ?=
IS_ROOT := $(filter 0,$(shell id -u))

# Content hash of addons/: keys the test database caches (notes §5, pitfall 5).
HASH = $(shell find addons -type f ! -path '*/__pycache__/*' ! -name '*.pyc' -print0 \
	| LC_ALL=C sort -z | xargs -0 sha1sum | sha1sum | cut -c1-12)

.PHONY: help demo test deps clean bench

help:
	@sed -n '3,9p' Makefile | sed 's/^# \{0,1\}//'

.venv/.installed: pyproject.toml
	$(PYTHON) -m venv .venv
	# pip lists every ignored local index location: harmless noise.
	$(BIN)/pip install -e '.[test]' 2>&1 | { grep -v "^WARNING: Location '.*' is ignored" || true; }
	touch $@

build/sao/index.html: sao/package-lock.json
	rm -rf build/sao build/sao.tmp
	mkdir -p build/sao.tmp
	cd build/sao.tmp
	npm pack tryton-sao@$(SAO_VERSION) --silent >/dev/null
	tar xzf tryton-sao-*.tgz
	cd package
	cp $(CURDIR)/sao/package-lock.json .
	npm ci --omit=dev --legacy-peer-deps --no-audit --no-fund \
		2>&1 | { grep -v 'npm warn EBADENGINE' || true; }
	cd $(CURDIR)
	mv build/sao.tmp/package build/sao
	rm -rf build/sao.tmp
	test -f $@ && touch $@

deps:
	@missing=()
	[ -x $(CHROMIUM) ] || missing+=(chromium fonts-dejavu-core)
	[ -x $(PGBIN)/initdb ] || missing+=(postgresql)
	# weasyprint (PDF of booklets and REE) loads pango through cffi
	/sbin/ldconfig -p | grep libpangoft2-1.0 >/dev/null || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
	if [ $${#missing[@]} -eq 0 ]; then exit 0; fi
	if [ -z "$(IS_ROOT)" ]; then
		echo "make deps: missing system packages: $${missing[*]}" >&2
		echo "install them as root: apt-get install -y $${missing[*]}" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update
	apt-get install -y --no-install-recommends $${missing[*]}

demo: .venv/.installed build/sao/index.html
	@export TRYTOND_DATABASE__PATH=$(CURDIR)/build/db
	export TRYTOND_WEB__ROOT=$(CURDIR)/build/sao
	export TRYTONPASSFILE=$(CURDIR)/build/adminpass
	export TRYTOND_TERMOGEST__FATTURAPA_XSD_DIR=$(FATTURAPA_XSD)
	mkdir -p build/db
	if [ "$${RESET:-}" = 1 ]; then rm -f build/db/$(DB).sqlite; fi
	if [ ! -f build/db/$(DB).sqlite ]; then
		if [ ! -s build/adminpass ]; then
			(umask 077; $(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(15))' > build/adminpass)
		fi
		touch build/db/$(DB).sqlite
		trap 'rm -f build/db/$(DB).sqlite' EXIT   # no half-built database
		# Without --email trytond-admin asks for it: answer with an empty line.
		$(BIN)/trytond-admin -c trytond.conf -d $(DB) --all $(if $(ADMIN_EMAIL),--email $(ADMIN_EMAIL)) <<< ''
		$(BIN)/trytond-admin -c trytond.conf -d $(DB) -u $(MODULES) --activate-dependencies
		$(BIN)/trytond-admin -c trytond.conf -d $(DB) -l it
		# No trytond_import_countries: 58 s; the demo script creates Italy.
		$(BIN)/python scripts/demo_data.py $(DB)
		trap - EXIT
	elif [ "$$(cat build/db/$(DB).hash 2>/dev/null)" != "$(HASH)" ]; then
		# The modules changed since the database was built: update and
		# activate them, then add the demo data still missing (the script
		# leaves what exists alone).
		$(BIN)/trytond-admin -c trytond.conf -d $(DB) -u $(MODULES) --activate-dependencies
		$(BIN)/trytond-admin -c trytond.conf -d $(DB) -l it
		$(BIN)/python scripts/demo_data.py $(DB)
	fi
	echo "$(HASH)" > build/db/$(DB).hash
	$(BIN)/python scripts/demo_data.py $(DB) --print-logins
	echo "Amministratore Tryton: admin / $$(cat build/adminpass)"
	# A local mail sink on the port of trytond.conf: the e-mails TermoGest
	# sends (company data changes, temporary passwords) land in a log.
	$(BIN)/python -m aiosmtpd -n -l 127.0.0.1:8025 \
		-c aiosmtpd.handlers.Debugging stdout > build/demo-mail.log 2>&1 &
	sink=$$!
	trap 'kill $$sink 2>/dev/null || true' EXIT
	echo "E-mail inviate dalla demo: build/demo-mail.log"
	echo "App dei tecnici (telefono): http://127.0.0.1:8000/$(DB)/termogest/m/"
	echo "Server: http://127.0.0.1:8000/ (Ctrl-C per fermarlo)"
	$(BIN)/trytond -c trytond.conf -d $(DB)

test: .venv/.installed build/sao/index.html deps
	@hash=$(HASH)
	unset TRYTOND_DATABASE__URI DB_NAME DB_CACHE
	run_pytest() {
		local rc=0
		$(BIN)/python -m pytest -q --durations=10 "$$@" || rc=$$?
		if [ $$rc -eq 5 ]; then echo "pytest: no tests collected" >&2; fi
		return $$rc
	}
	# Four pytest processes side by side (CI has 2 cores): SQLite and
	# PostgreSQL, each in two module groups that activate different module
	# sets (no test database or template is shared).  Each writes to
	# build/test-<backend>-<group>.log, printed when all are over.
	mkdir -p build
	rm -f build/test-*.log build/test-*.rc
	pids=
	start_group() {
		local name=$$1
		shift
		( rc=0; run_pytest "$$@" > build/test-$$name.log 2>&1 || rc=$$?
		echo $$rc > build/test-$$name.rc ) &
		pids="$$pids $$!"
		echo "== $$name: started (build/test-$$name.log) =="
	}
	export DB_CACHE=$(CURDIR)/build/dbcache/sqlite-$$hash
	start_group sqlite-1 $(GROUP_1)
	start_group sqlite-2 $(GROUP_2)
	unset DB_CACHE
	pgtmp=$$(mktemp -d)
	chmod 755 "$$pgtmp"
	pgdata=$$pgtmp/data
	mkdir "$$pgdata"
	as_pg() { $(if $(IS_ROOT),runuser -u postgres -- "$$@","$$@"); }
	$(if $(IS_ROOT),chown postgres: "$$pgdata")
	# Remove the cluster however the recipe ends (failure, Ctrl-C included).
	trap 'for pid in $$pids; do pkill -P $$pid 2>/dev/null || true; kill $$pid 2>/dev/null || true; done; as_pg $(PGBIN)/pg_ctl -D "$$pgdata" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$$pgtmp"' EXIT
	trap 'exit 130' INT TERM
	as_pg $(PGBIN)/initdb -D "$$pgdata" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
	port=$$($(BIN)/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	as_pg $(PGBIN)/pg_ctl -D "$$pgdata" -l "$$pgdata/server.log" -w -s start -o \
		"-c listen_addresses=127.0.0.1 -p $$port -k $$pgdata -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
		|| { cat "$$pgdata/server.log" >&2; exit 1; }
	export PGHOST=127.0.0.1 PGPORT=$$port
	$(PGBIN)/psql -q -X -U postgres -d postgres \
		-c "CREATE ROLE tryton LOGIN PASSWORD 'tryton' CREATEDB"
	# The dumps of build/dbcache/pg-<hash> (trytond's DB_CACHE format) are
	# restored once as template databases "test-<name>": each test then gets
	# CREATE DATABASE ... TEMPLATE instead of a pg_restore of its own
	# (warm PostgreSQL pass: 38 s instead of 49 s).
	pgcache=$(CURDIR)/build/dbcache/pg-$$hash
	for dump in "$$pgcache"/*-postgresql.dump; do
		[ -d "$$dump" ] || continue
		template=test-$$(basename "$$dump" -postgresql.dump)
		$(PGBIN)/createdb -U tryton "$$template"
		$(PGBIN)/pg_restore -U tryton -d "$$template" -j 2 "$$dump"
	done
	export TRYTOND_DATABASE__URI=postgresql://tryton:tryton@127.0.0.1:$$port/
	export DB_CACHE=postgresql:// PATH=$(PGBIN):$$PATH
	DB_NAME=test_termogest_1 start_group postgresql-1 $(GROUP_1)
	DB_NAME=test_termogest_2 start_group postgresql-2 $(GROUP_2)
	unset TRYTOND_DATABASE__URI DB_CACHE
	for pid in $$pids; do wait $$pid || true; done
	failed=
	for name in sqlite-1 sqlite-2 postgresql-1 postgresql-2; do
		echo "== $$name =="
		cat build/test-$$name.log
		rc=$$(cat build/test-$$name.rc 2>/dev/null || echo 1)
		[ "$$rc" -eq 0 ] || failed="$$failed $$name(exit $$rc)"
	done
	echo "== failed:$${failed:- none} =="
	# Dump the templates created by this run for the next one.
	mkdir -p "$$pgcache"
	for template in $$($(PGBIN)/psql -X -At -U postgres -d postgres \
			-c "SELECT datname FROM pg_database WHERE datname LIKE 'test-%'"); do
		dump=$$pgcache/$${template#test-}-postgresql.dump
		[ -d "$$dump" ] || $(PGBIN)/pg_dump -U tryton -F d -j 2 -f "$$dump" "$$template"
	done
	[ -z "$$failed" ]

clean:
	rm -rf build test-artifacts

# The benchmarks of bench/RESULTS.md: a PostgreSQL cluster kept in
# build/bench-pg (bench/pg.sh, port 55450 of bench/trytond.conf), the scale
# data of 5,000 and 50,000 customers (the template bench_base is rebuilt
# when the modules changed), the medians, then the 5-minute load test.
bench: .venv/.installed deps
	@$(BIN)/pip install -q -e '.[test,bench]' 2>&1 | { grep -v "^WARNING: Location '.*' is ignored" || true; }
	bench/pg.sh start >/dev/null
	export PGHOST=127.0.0.1 PGPORT=55450 PGUSER=tryton PGPASSWORD=tryton
	if [ "$$(cat build/bench-pg.hash 2>/dev/null)" != "$(HASH)" ]; then
		$(PGBIN)/dropdb --if-exists bench_base
		echo "$(HASH)" > build/bench-pg.hash
	fi
	$(BIN)/python bench/generate.py --customers 5000 --database bench_5k
	$(BIN)/python bench/generate.py --customers 50000 --database bench_50k
	$(BIN)/python bench/run.py -d bench_5k -d bench_50k --json build/bench-run.json
	$(BIN)/python bench/loadtest.py --database bench_50k
