# nosql-es: the two commands a newcomer needs are `make run` and `make test` (see README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Maven with a JDK >= 21 (infra/bin/select-jdk.sh picks $JAVA_HOME or the newest under /usr/lib/jvm).
MVN_FLAGS ?= -B -ntp
MVN = JAVA_HOME="$$(infra/bin/select-jdk.sh)" && export JAVA_HOME && mvn $(MVN_FLAGS)

# The SAM CLI and cfn-lint from the project's virtualenv (infra/tooling/requirements.txt). They work offline, but
# insist on a region; credentials are only needed by `sam deploy`, so dummy ones are given when none are set.
AWS_TOOL_ENV = export AWS_DEFAULT_REGION="$${AWS_DEFAULT_REGION:-us-east-1}" SAM_CLI_TELEMETRY=0 \
	&& if [ -z "$${AWS_ACCESS_KEY_ID:-}$${AWS_PROFILE:-}" ]; then export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test; fi
SAM = $(AWS_TOOL_ENV) && PATH="$(CURDIR)/.venv/bin:$$PATH" .venv/bin/sam
CFN_LINT = .venv/bin/cfn-lint

.PHONY: help venv jdk test run build clean lint-template sam-build lambda-package bench chaos rebuild-scenario

help:
	@echo "make run            run the whole application locally on moto (reads template.yaml); state is kept"
	@echo "                    across restarts in .local-state, FRESH=1 starts empty"
	@echo "make test           run every test (unit and integration, against moto), lint the template, sam build"
	@echo "                    BACKEND=ministack: the same on MiniStack"
	@echo "make build          compile and package without tests"
	@echo "make lint-template  cfn-lint and sam validate --lint on template.yaml"
	@echo "make sam-build      sam build: the deployment packages in .aws-sam/build"
	@echo "make bench          benchmarks: target/bench/report.md, results.json, charts"
	@echo "make chaos          a long run of the chaos specification under AWS faults; SEED=n replays one"
	@echo "                    (ORDERS, CUSTOMERS, CLIENTS, FAULTS=all|family,..|-family, SCALE; fault-injection.md)"
	@echo "make rebuild-scenario  the read-model rebuild scenario with 2,000 orders (REBUILD_ORDERS=n)"

jdk:
	@infra/bin/select-jdk.sh >/dev/null && echo "JDK: $$(infra/bin/select-jdk.sh)"

venv:
	@infra/bin/venv.sh

# BACKEND=ministack runs the suite on MiniStack instead of moto (installed into .venv-ministack by
# infra/bin/backend.sh); the tests tagged `moto` (moto itself) are left out then.
BACKEND ?= moto
BACKEND_ENV = $(if $(filter moto,$(BACKEND)),,export NOSQLES_BACKEND=$(BACKEND) &&)
BACKEND_FLAGS = $(if $(filter moto,$(BACKEND)),,-DexcludedGroups=moto)

test: jdk venv
	@infra/bin/backend.sh $(BACKEND)
	@infra/bin/chromium.sh >/dev/null  # the console's browser test (ConsoleInBrowserTest); installs Debian's chromium when missing
	@$(BACKEND_ENV) $(MVN) verify $(BACKEND_FLAGS)
	@$(MAKE) --no-print-directory lint-template sam-build

build: jdk
	@$(MVN) -DskipTests package

# The application as template.yaml declares it, on a local AWS, with the HTTP API on http://localhost:3000
# (PORT overrides). Built in the reactor, so nothing is installed into ~/.m2; exec:java only runs in infra/runtime.
# State survives a restart (.local-state, see ADR 0002); FRESH=1 starts empty.
run: jdk venv
	@export NOSQLES_FRESH="$(FRESH)" && $(MVN) -q -pl infra/runtime -am -DskipTests -Dexec.skip=true -Dexec.mainClass=dev.nosqles.runtime.LocalRuntime \
		package exec:java

clean:
	@$(MVN) -q clean
	@rm -rf .aws-sam

# --- template checks and the SAM build ------------------------------------------------------------------------

lint-template: venv
	@$(CFN_LINT) template.yaml
	@$(SAM) validate --lint --template-file template.yaml
	@echo "template.yaml: cfn-lint and sam validate --lint passed"

# build_in_source (samconfig.toml) runs the Makefile targets below in this repository instead of a copy of it.
sam-build: jdk venv
	@$(SAM) build --build-in-source --template-file template.yaml
	@ls .aws-sam/build/ApiFunction/lib/*.jar >/dev/null && echo "sam build: $$(ls .aws-sam/build/*/lib/*.jar | tr '\n' ' ')"

# --- deployment packages (sam build, `Metadata: BuildMethod: makefile`) -------------------------------------------
# sam build runs `make build-<LogicalId>` with ARTIFACTS_DIR set, once per function. Every function ships the same
# shaded jar of lambda-handlers (its handler class differs), so a new function needs only its own line:
#   build-OrdersProjectionFunction: lambda-package
# The jar is rebuilt only when a source or POM it is made from changed, so a build of N functions packages once.

build-ApiFunction: lambda-package
build-OrderSagaStreamFunction: lambda-package
build-CustomerCommandsFunction: lambda-package
build-OrderCommandsFunction: lambda-package
build-SagaRepliesFunction: lambda-package
build-SagaSweeperFunction: lambda-package

LAMBDA_JAR := lambda-handlers/target/lambda/nosqles-lambda-handlers.jar
LAMBDA_INPUTS := pom.xml core/pom.xml lambda-logging/pom.xml lambda-handlers/pom.xml \
	$(shell find core/src/main lambda-logging/src/main lambda-handlers/src/main -type f 2>/dev/null)

$(LAMBDA_JAR): $(LAMBDA_INPUTS)
	@$(MVN) -q -pl lambda-handlers -am -DskipTests package
	@touch $@

lambda-package: $(LAMBDA_JAR)
	@test -n "$(ARTIFACTS_DIR)" || { echo "ARTIFACTS_DIR is not set: this target is run by sam build" >&2; exit 1; }
	@mkdir -p "$(ARTIFACTS_DIR)/lib"
	@cp $(LAMBDA_JAR) "$(ARTIFACTS_DIR)/lib/"

# Benchmarks (request units, overhead against the bare SDK, replay CPU with JMH, contention, cold start of the
# shaded Lambda jar in fresh JVMs, end to end on the local runtime, read-model rebuild, personal-data encryption
# and KMS calls) on moto: writes target/bench/report.md, results.json and the charts. BENCH_ARGS=--quick for a
# short trial run; BENCH_ARGS='--only coldstart' (section 5 alone, coldstart.md), '--only contention' (section 4) or
# '--only bill' (section 9).

bench: jdk venv
	@$(MVN) -q -DskipTests -pl infra/bench -am package
	@JAVA_HOME="$$(infra/bin/select-jdk.sh)" && "$$JAVA_HOME/bin/java" -Dnosqles.venv="$(CURDIR)/.venv" \
		-cp "infra/bench/target/classes:$$(cat infra/bench/target/bench.classpath)" \
		dev.nosqles.bench.BenchMain --out target/bench $(BENCH_ARGS)

# --- the chaos specification, longer than in `make test` (src/site/markdown/fault-injection.md) ----------------
# The reference application on the local runtime behind the fault proxy. SEED picks the run (default: a new one,
# printed); the same SEED and sizes replay it. FAULTS: all, none, a comma list of fault families, or -family,...
# to leave some out. SCALE multiplies every fault probability.
SEED ?=
CUSTOMERS ?= 12
ORDERS ?= 150
CLIENTS ?= 6
FAULTS ?= all
SCALE ?= 1

chaos: jdk venv
	@seed="$(SEED)"; if [ -z "$$seed" ]; then seed=$$(od -An -N4 -tu4 /dev/urandom | tr -d ' '); fi; \
	echo "make chaos: seed $$seed (replay: make chaos SEED=$$seed CUSTOMERS=$(CUSTOMERS) ORDERS=$(ORDERS) CLIENTS=$(CLIENTS) FAULTS=$(FAULTS) SCALE=$(SCALE))"; \
	$(MVN) -pl infra/runtime -am test -Dtest=ChaosSpecificationTest -Dsurefire.failIfNoSpecifiedTests=false \
		-Dchaos.seed=$$seed -Dchaos.customers=$(CUSTOMERS) -Dchaos.orders=$(ORDERS) -Dchaos.clients=$(CLIENTS) \
		-Dchaos.faults=$(FAULTS) -Dchaos.scale=$(SCALE)

# --- issue 10's read-model scenario at full size (src/site/markdown/operations.md) ----------------------------
# RebuildScenarioTest with REBUILD_ORDERS orders (default 2000) through the local runtime (make test runs it with 200): a rebuild while
# orders keep arriving, switch, drop, then the read model equals a fold of the event store; a killed rebuild resumes.
rebuild-scenario: jdk venv
	@$(MVN) -pl infra/runtime -am test -Dtest=RebuildScenarioTest -Dsurefire.failIfNoSpecifiedTests=false \
		-Drebuild.orders=$(or $(REBUILD_ORDERS),2000)
