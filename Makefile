# nosql-es: the two commands a newcomer needs are `make run` and `make test` (see README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Maven with a JDK >= 21 (infra/bin/select-jdk.sh picks $JAVA_HOME or the newest under /usr/lib/jvm).
MVN_FLAGS ?= -B -ntp
MVN = JAVA_HOME="$$(infra/bin/select-jdk.sh)" && export JAVA_HOME && mvn $(MVN_FLAGS)

.PHONY: help venv jdk test run build clean

help:
	@echo "make run    run the application locally on moto (embedded local AWS)"
	@echo "make test   run every test (unit and integration, against moto)"
	@echo "make build  compile and package without tests"

jdk:
	@infra/bin/select-jdk.sh >/dev/null && echo "JDK: $$(infra/bin/select-jdk.sh)"

venv:
	@infra/bin/venv.sh

test: jdk venv
	@$(MVN) install

build: jdk
	@$(MVN) -DskipTests install

run: jdk venv
	@$(MVN) -q -DskipTests install
	@$(MVN) -q -pl infra/runtime exec:java

clean:
	@$(MVN) -q clean

# Benchmarks (request units, overhead against the bare SDK, replay CPU with JMH, contention) on moto:
# writes target/bench/report.md, results.json and the charts. BENCH_ARGS=--quick for a short trial run.
.PHONY: bench
bench: jdk venv
	@$(MVN) -q -DskipTests -pl infra/bench -am package
	@JAVA_HOME="$$(infra/bin/select-jdk.sh)" && "$$JAVA_HOME/bin/java" -Dnosqles.venv="$(CURDIR)/.venv" \
		-cp "infra/bench/target/classes:$$(cat infra/bench/target/bench.classpath)" \
		dev.nosqles.bench.BenchMain --out target/bench $(BENCH_ARGS)
