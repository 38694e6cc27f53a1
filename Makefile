# modelmgr: machine-learning model management inside PostgreSQL.
#
#   make                  build the extension (PGXS); MM_WERROR=1 makes warnings errors
#   make install          install it into the PostgreSQL that pg_config names
#   make unittest         build and run the core's C unit tests (no server)
#   make installcheck     pg_regress suites and TAP tests, each on a temporary
#                         server that preloads the library
#   make regresscheck     the pg_regress suites alone
#   make tapcheck         the TAP tests alone
#
# The core (src/core) is plain C99 without PostgreSQL headers and has its own
# compile rule: PGXS's flags (-Wdeclaration-after-statement and friends) are
# for server code, and the standalone tools built from the core must not
# depend on them.

EXTENSION = modelmgr
# the version is written once, in modelmgr.control; the library and mm-score take it from there
EXTVERSION := $(shell sed -n "s/^default_version *= *'\(.*\)'/\1/p" modelmgr.control)
MODULE_big = modelmgr
PGFILEDESC = "modelmgr - machine-learning model management in PostgreSQL"

# The core's folders, named once here: the framework (src/core), one file per
# algorithm (algorithms, see src/core/algorithm.h), the model's serialized forms
# (formats), metrics, solvers and statistics (numerics), data sources and
# their passes (sources), the kernel SVM over libsvm (kernels), and tree ensembles
# over XGBoost (trees).  Each is one
# -I, so core files include each other by bare name wherever they sit;
# test/fuzz/run.sh asks for the list
# (make print-core-dirs).
CORE_DIRS = src/core src/core/algorithms src/core/formats src/core/metrics src/core/numerics \
	src/core/sources src/core/kernels src/core/trees
CORE_SRCS := $(sort $(foreach d,$(CORE_DIRS),$(wildcard $(d)/*.c)))
CORE_OBJS := $(CORE_SRCS:.c=.o)
CORE_HDRS := $(foreach d,$(CORE_DIRS),$(wildcard $(d)/*.h))
CORE_INCLUDES = $(addprefix -I,$(CORE_DIRS))
# libmmcore.a and the fuzzing build keep objects by base name only
ifneq ($(words $(notdir $(CORE_SRCS))),$(words $(sort $(notdir $(CORE_SRCS)))))
$(error two core source files share a base name: $(sort $(notdir $(CORE_SRCS))))
endif
# The server glue's folders by role: the SQL-callable functions (api), the catalog and who may do
# what (catalog), shared helpers and settings (common), reading relations and the aggregates
# (data), the fit driver and what a training makes of a fit (fit), and the background workers,
# monitoring checks and shared memory (workers); src/modelmgr.c is the library's entry point.
# Each module's header sits next to it and is included by bare name, as the core's are.
GLUE_DIRS = src/api src/catalog src/common src/data src/fit src/workers
GLUE_SRCS := src/modelmgr.c $(sort $(foreach d,$(GLUE_DIRS),$(wildcard $(d)/*.c)))
GLUE_HDRS := $(foreach d,$(GLUE_DIRS),$(wildcard $(d)/*.h))
# with one -I per folder, a header's base name must say which one it is
ALL_HDR_NAMES := $(notdir $(CORE_HDRS) $(GLUE_HDRS) $(wildcard src/scorer/*.h))
ifneq ($(words $(ALL_HDR_NAMES)),$(words $(sort $(ALL_HDR_NAMES))))
$(error two headers share a base name: $(sort $(ALL_HDR_NAMES)))
endif
OBJS = $(GLUE_SRCS:.c=.o) $(CORE_OBJS)

# the current version installs from its whole script; earlier ones update through the chain, which
# must leave the same objects (test/t/010_upgrade_release.pl compares them)
DATA = sql/modelmgr--$(EXTVERSION).sql sql/modelmgr--0.1.0.sql sql/modelmgr--0.1.0--0.2.0.sql \
	sql/modelmgr--0.2.0--0.3.0.sql sql/modelmgr--0.3.0--0.4.0.sql sql/modelmgr--0.4.0--0.5.0.sql \
	sql/modelmgr--0.5.0--0.6.0.sql sql/modelmgr--0.6.0--0.7.0.sql

REGRESS = setup catalog train_linear predict registry evaluate audit \
	permissions parallel errors classify proba_class preprocess cluster encode monitor privileges shadowing tune export \
	elastic_net passagg float_labels baseline inference reference_coding upgrade dates train_progress \
	logistic_passes trainpasses trainpasses_prep trainpasses_dedupe trainpasses_classify evaluatepasses monitorpasses kernelsvm tunepasses \
	boosting forestparams forestpasses boostpasses
REGRESS_OPTS = --temp-instance=tmp_check --temp-config=test/modelmgr.conf

TAP_TESTS = 1
PROVE_TESTS = test/t/*.pl

# link flags from the libraries' own pkg-config files
LINALG_LIBS = $(shell pkg-config --libs lapacke lapack blas jansson zlib) -lm -pthread
# libsvm (the kernel SVM's fit) ships no pkg-config file
LINALG_LIBS += -lsvm
# boosted trees train through XGBoost's C API (predicting needs only the core)
LINALG_LIBS += $(shell pkg-config --libs xgboost)
SHLIB_LINK = $(LINALG_LIBS)

# Warnings are errors in development and CI builds (make MM_WERROR=1, as
# scripts/test.sh builds), not in a user's build, which another compiler
# version may warn about.
WERROR = $(if $(MM_WERROR),-Werror)
PG_CPPFLAGS = $(addprefix -I$(srcdir)/,$(GLUE_DIRS) $(CORE_DIRS)) -DMM_EXTENSION_VERSION='"$(EXTVERSION)"'
# PostgreSQL's own headers trip the disabled warnings
PG_CFLAGS = -Wall -Wextra $(WERROR) -Wno-unused-parameter -Wno-missing-field-initializers \
	-Wno-sign-compare -ffp-contract=off

EXTRA_CLEAN = $(UNIT_TESTS) test/core/paramdoc results regression.diffs regression.out tmp_check \
	$(SCORER) src/scorer/*.o bench/floor src/core/libmmcore.a

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# predictions must round identically when the JIT inlines them
override BITCODE_CFLAGS += -ffp-contract=off

CORE_CFLAGS = -std=c99 -O3 -g -fPIC -fno-strict-aliasing -ffp-contract=off \
	-Wall -Wextra -Wpedantic $(WERROR) -D_DEFAULT_SOURCE

src/core/%.o: src/core/%.c $(CORE_HDRS)
	$(CC) $(CORE_CFLAGS) $(CORE_INCLUDES) -c -o $@ $<

# The statistics' sweeps choose between values (a missing one, an extreme)
# by comparisons that GCC turns into vector selects only when they may not
# trap; nothing here reads the floating-point flags, and no result changes.
src/core/sources/column_stats.o src/core/sources/designpasses.o src/core/numerics/colmoments.o: CORE_CFLAGS += -fno-trapping-math

$(GLUE_SRCS:.c=.o): $(GLUE_HDRS) $(CORE_HDRS)

# The standalone scorer: the core, a CSV reader, and PostgreSQL's shortest
# double printer from libpgcommon (a static library, not the server).
SCORER = src/scorer/mm-score
PGCOMMON_LIBS = -L$(shell $(PG_CONFIG) --pkglibdir) -lpgcommon -lpgport

src/scorer/%.o: src/scorer/%.c src/scorer/csv.h $(CORE_HDRS) Makefile
	$(CC) $(CORE_CFLAGS) $(CORE_INCLUDES) -DMM_SCORE_VERSION='"$(EXTVERSION)"' -c -o $@ $<

$(SCORER): src/scorer/mm-score.o src/scorer/csv.o $(CORE_OBJS)
	$(CC) -o $@ $^ $(PGCOMMON_LIBS) $(LINALG_LIBS)

all: $(SCORER) src/core/libmmcore.a

# the core as a static library, for C programs that embed the scorer (scorer.h)
src/core/libmmcore.a: $(CORE_OBJS)
	$(AR) rcs $@ $^

# the benchmark's floor: reads and prints as the scorer does, scoring nothing
bench/floor: bench/floor.c src/scorer/csv.o
	$(CC) $(CORE_CFLAGS) -Isrc/scorer -o $@ $^ $(PGCOMMON_LIBS) -lm

.PHONY: install-scorer uninstall-scorer
install: install-scorer
install-scorer: $(SCORER)
	$(MKDIR_P) '$(DESTDIR)$(bindir)'
	$(INSTALL_PROGRAM) $(SCORER) '$(DESTDIR)$(bindir)/mm-score'
uninstall: uninstall-scorer
uninstall-scorer:
	rm -f '$(DESTDIR)$(bindir)/mm-score'

# Core unit tests (cmocka), run without a server.  test/core mirrors the core's
# folders, a test_X.c for each core file X.c it tests; testutil.h is shared by all.
UNIT_TESTS := $(patsubst %.c,%,$(sort $(foreach d,$(CORE_DIRS),$(wildcard $(patsubst src/%,test/%,$(d))/test_*.c))))
TEST_HDRS := $(foreach d,$(CORE_DIRS),$(wildcard $(patsubst src/%,test/%,$(d))/*.h))
ifneq ($(words $(shell find test/core -name 'test_*.c')),$(words $(UNIT_TESTS)))
$(error a unit test in test/core lies outside the folders that mirror src/core's)
endif

$(UNIT_TESTS): %: %.c $(TEST_HDRS) $(CORE_OBJS)
	$(CC) $(CORE_CFLAGS) -Wno-unused-parameter -Itest/core $(CORE_INCLUDES) -o $@ $< $(CORE_OBJS) -lcmocka $(LINALG_LIBS)

# The parameter tables of doc/algorithms.md, printed from the algorithms'
# declarations; scripts/gen-docs-params.sh puts them in the page.
PARAMDOC = test/core/paramdoc

$(PARAMDOC): test/core/paramdoc.c $(CORE_OBJS)
	$(CC) $(CORE_CFLAGS) $(CORE_INCLUDES) -o $@ $< $(CORE_OBJS) $(LINALG_LIBS)

.PHONY: paramdoc
paramdoc: $(PARAMDOC)

# The unit tests, the check that doc/algorithms.md's tables are current, and the check of the
# headers' include graph (no cycles, no shared or shadowing names, the core self-contained).
.PHONY: unittest
unittest: $(UNIT_TESTS) $(PARAMDOC)
	@status=0; for t in $(UNIT_TESTS); do ./$$t || status=1; done; \
	bash scripts/gen-docs-params.sh --check || status=1; \
	CC="$(CC)" bash scripts/check-includes.sh || status=1; exit $$status

# The core's folders, for the builds outside this Makefile (test/fuzz/run.sh).
.PHONY: print-core-dirs
print-core-dirs:
	@echo $(CORE_DIRS)

# The two halves of installcheck, each on its own, so that a run can report both.
.PHONY: regresscheck tapcheck
regresscheck:
	$(pg_regress_installcheck) $(REGRESS_OPTS) $(REGRESS)

tapcheck:
	$(prove_installcheck)
