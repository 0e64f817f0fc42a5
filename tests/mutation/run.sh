#!/bin/bash
# tests/mutation/run.sh - `make mutation`: proves that a test catches each
# security guard. For every mutant of tests/mutation/mutants (a guard
# removed or weakened, found by literal text, never by line number) it
# rebuilds a scratch copy of the source tree with the mutant applied, runs
# the tests until one fails, and restores the file:
#   KILLED    a test failed (the first failing one is named)
#   SURVIVED  every test of `make check` passed: no test guards this guard
#   ERROR     the mutant's text matches nothing (or more than once), or the
#             change leaves the built objects identical: never a kill
# Exit status: 0 every mutant killed, 1 a mutant survived or was in error,
# 2 usage or setup error.
#
# The working tree is never written: the files git lists (tracked, and
# untracked ones not ignored, as they are in the working tree) are copied
# into a scratch directory, built once (without --enable-werror: a mutant
# may leave a variable unused), and each mutant is applied there, rebuilt
# incrementally, tested, and undone. The tests run one at a time with
# CI=true, the mutant's `test` hint first, then make check's order, and
# stop at the first failure. Root only, like the integration tests: every
# test runs in a throwaway namespace (tests/lib/sandbox.sh), the host is
# left as it was.
#
# Usage: run.sh SRCDIR            (make mutation passes it)
#   MUTANTS="name ..."   run only these mutants
#   MUTATION_LIST=FILE   another list (default tests/mutation/mutants)
#   MUTATION_DIR=DIR     scratch directory (default: a new one under
#                        /var/tmp, removed at the end)
#   MUTATION_TIMEOUT=S   seconds one test may take before it counts as
#                        failed (a hang caught is a kill; default 900)
#   MUTATION_BASELINE=no skip the run of every test without a mutant
#                        (default: run it; a failing baseline is an error,
#                        as a kill would then prove nothing)
set -uo pipefail

src=${1:-}
list=${MUTATION_LIST:-$src/tests/mutation/mutants}
timeout_s=${MUTATION_TIMEOUT:-900}

say() { printf '%s\n' "$*"; }
fatal() { printf 'mutation: %s\n' "$*" >&2; exit 2; }

{ [ -n "$src" ] && [ -d "$src" ]; } || fatal "usage: $0 SRCDIR"
[ "$(id -u)" = 0 ] || fatal "needs root: the tests mount and add users, in throwaway namespaces"
[ -f "$list" ] || fatal "no mutant list $list"
git -C "$src" rev-parse --git-dir >/dev/null 2>&1 ||
	fatal "$src is not a git checkout: the scratch copy is made from git ls-files"

# ---------------------------------------------------------------- the list

# Parses the list into parallel arrays; one entry per file/from/to triple.
declare -a M_NAME=() M_TEST=() C_MUTANT=() C_FILE=() C_FROM=() C_TO=()
parse_list() {
	local lineno=0 line key value name="" file="" from="" have_from=0
	flush_change() {
		[ "$have_from" = 1 ] && fatal "$list:$lineno: 'from' without 'to' in mutant $name"
	}
	while IFS= read -r line || [ -n "$line" ]; do
		lineno=$((lineno + 1))
		case "$line" in '#'* | '') continue ;; esac
		key=${line%%[[:blank:]]*}
		value=${line#"$key"}
		value=${value#"${value%%[![:blank:]]*}"}
		value=${value%"${value##*[![:blank:]]}"}
		case "$key" in
		mutant)
			flush_change
			name=$value file=""
			[[ "$name" =~ ^[a-z0-9-]+$ ]] || fatal "$list:$lineno: a mutant name is [a-z0-9-]+"
			M_NAME+=("$name")
			M_TEST+=("")
			;;
		guard) ;;
		test) M_TEST[${#M_TEST[@]} - 1]=$value ;;
		file) flush_change; file=$value ;;
		from)
			{ [ -n "$name" ] && [ -n "$file" ]; } || fatal "$list:$lineno: 'from' before 'mutant' and 'file'"
			[ -n "$value" ] || fatal "$list:$lineno: an empty 'from' matches everywhere"
			from=$value have_from=1
			;;
		to)
			[ "$have_from" = 1 ] || fatal "$list:$lineno: 'to' without 'from'"
			C_MUTANT+=("$name") C_FILE+=("$file") C_FROM+=("$from") C_TO+=("$value")
			have_from=0
			;;
		*) fatal "$list:$lineno: unknown key '$key' (mutant, guard, file, from, to, test)" ;;
		esac
	done <"$list"
	flush_change
	[ "$(printf '%s\n' "${M_NAME[@]}" | sort | uniq -d)" = "" ] || fatal "$list: a mutant name is used twice"
}

# Replaces the one occurrence of FROM in FILE by TO (literal text). Returns
# 0, or 1 with a reason on stdout when FROM is not there exactly once.
replace_once() { # FILE FROM TO
	FROM=$2 TO=$3 perl -e '
		local $/; open(my $f, "<", $ARGV[0]) or die "cannot read $ARGV[0]: $!\n";
		my $text = <$f>; close($f);
		my ($n, $at) = (0, -1);
		for (my $i = index($text, $ENV{FROM}); $i >= 0; $i = index($text, $ENV{FROM}, $i + 1)) {
			$n++; $at = $i;
		}
		if ($n != 1) { print "the text is found $n times in $ARGV[0], not once\n"; exit 1; }
		substr($text, $at, length($ENV{FROM})) = $ENV{TO};
		open($f, ">", $ARGV[0]) or die "cannot write $ARGV[0]: $!\n";
		print $f $text; close($f) or die "cannot write $ARGV[0]: $!\n";' "$1"
}

# ---------------------------------------------------------------- the copy

own_dir=0
work=${MUTATION_DIR:-}
if [ -z "$work" ]; then
	work=$(mktemp -d /var/tmp/vsym-mutation.XXXXXX) || fatal "cannot make a scratch directory"
	own_dir=1
fi
tree=$work/src
build=$work/build
saved=$work/saved
current_file=""

# Whatever happens, the scratch copy gets its file back and a scratch
# directory made here is removed; the working tree was never touched.
# shellcheck disable=SC2317 # called by the trap
cleanup() {
	if [ -n "$current_file" ]; then cp "$saved/orig" "$tree/$current_file"; fi
	if [ "$own_dir" = 1 ]; then rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 2' INT TERM HUP

setup_copy() {
	rm -rf "$tree" "$build" "$saved"
	mkdir -p "$tree" "$build" "$saved" || fatal "cannot write $work"
	(cd "$src" && git ls-files -z --cached --others --exclude-standard |
		xargs -0 -r stat --printf '%n\0' 2>/dev/null | tar --null -T - -cf -) |
		tar -xf - -C "$tree" || fatal "cannot copy the source tree"
	say "# building a scratch copy in $work (log: $work/build.log)"
	(cd "$tree" && ./autogen.sh && cd "$build" &&
		"$tree/configure" -q --prefix=/opt/vsym --sysconfdir=/etc \
			--with-securedir=/opt/vsym/lib/security &&
		make -j2 && make -j2 check TESTS=) >"$work/build.log" 2>&1 ||
		fatal "the scratch copy does not build; see $work/build.log"
}

# The checksums of everything the build made from the sources (objects,
# the module, the tool) into FILE: a mutant that changes none of it is an
# error.
build_sums() { # FILE
	(cd "$build" && find . -type f \( -name '*.o' -o -name '*.so' -o -path './tools/vsym-rebind' \) \
		-print0 | sort -z | xargs -0 sha256sum) >"$1"
}

rebuild() { make -C "$build" -j2 >>"$work/build.log" 2>&1 && make -C "$build" -j2 check TESTS= >>"$work/build.log" 2>&1; }

all_tests() { # the TESTS of the build's Makefile, in make check's order
	# shellcheck disable=SC2016 # a make variable, expanded by make
	make -s -C "$build" -f Makefile -f - print-tests <<<'print-tests: ; @echo $(TESTS)'
}

# Runs one test of the build; 0 if it passed (or was skipped: a skip as
# root in CI fails, see tests/lib/sandbox.sh, and CI=true is set here).
run_test() { # TEST
	local t=$1 rc
	rm -f "$build/${t%.test}.log" "$build/${t%.test}.trs"
	CI=true timeout -k 30 "$timeout_s" make -s -C "$build" check TESTS="$t" >"$work/test.out" 2>&1
	rc=$?
	[ "$rc" = 124 ] && say "#     ($t timed out after ${timeout_s}s)"
	return "$rc"
}

# Runs the tests, FIRST first, until one fails; prints the failing one.
first_failure() { # [FIRST]
	local t
	for t in ${1:-} $(all_tests | tr ' ' '\n' | grep -vxF "${1:-}"); do
		if ! run_test "$t"; then
			echo "$t"
			return 0
		fi
	done
	return 1
}

# ---------------------------------------------------------------- one mutant

# Applies every change of mutant NAME; on failure returns 1 with the
# reason in APPLY_WHY. Runs in this shell: current_file must be seen by
# restore and by the EXIT trap.
APPLY_WHY=""
apply_changes() { # NAME
	local i
	for i in "${!C_MUTANT[@]}"; do
		[ "${C_MUTANT[i]}" = "$1" ] || continue
		if [ ! -f "$tree/${C_FILE[i]}" ]; then
			APPLY_WHY="no file ${C_FILE[i]}"
			return 1
		fi
		if [ -z "$current_file" ]; then
			cp "$tree/${C_FILE[i]}" "$saved/orig" || fatal "cannot save ${C_FILE[i]}"
			current_file=${C_FILE[i]}
		elif [ "$current_file" != "${C_FILE[i]}" ]; then
			APPLY_WHY="a mutant changes one file only (${current_file} and ${C_FILE[i]})"
			return 1
		fi
		APPLY_WHY=$(cd "$tree" && replace_once "${C_FILE[i]}" "${C_FROM[i]}" "${C_TO[i]}") || return 1
	done
}

# Puts the file back (a fresh mtime, so make rebuilds it) and rebuilds.
restore() {
	[ -n "$current_file" ] || return 0
	cp "$saved/orig" "$tree/$current_file"
	current_file=""
	rebuild || fatal "the scratch copy does not build after restoring; see $work/build.log"
}

declare -A RESULT
run_mutant() { # INDEX
	local name=${M_NAME[$1]} first=${M_TEST[$1]} failed start=$SECONDS
	if ! apply_changes "$name"; then
		RESULT[$name]="ERROR: $APPLY_WHY"
	elif ! rebuild; then
		RESULT[$name]="ERROR: the mutant does not compile (see $work/build.log)"
	elif build_sums "$work/mutant.sums" && cmp -s "$work/mutant.sums" "$work/baseline.sums"; then
		RESULT[$name]="ERROR: the built objects are unchanged"
	elif failed=$(first_failure "$first"); then
		RESULT[$name]="KILLED by $failed"
		# What failed, kept for a reader who doubts the kill.
		# (automake names the log of tests/x/NAME.test NAME.log)
		grep -aE '^(not ok|FAIL|ERROR|\[  (ERROR|FAILED) )' "$build/${failed%.test}.log" 2>/dev/null |
			head -n 5 >"$work/$name.killed" || true
		cp "$build/${failed%.test}.log" "$work/$name.log" 2>/dev/null || true
	else
		RESULT[$name]=SURVIVED
	fi
	restore
	build_sums "$work/restored.sums"
	cmp -s "$work/restored.sums" "$work/baseline.sums" ||
		fatal "the build differs from the baseline after restoring $name: $(diff "$work/baseline.sums" "$work/restored.sums" | tr '\n' ' ')"
	say "$(printf '%-22s %s (%ss)' "$name" "${RESULT[$name]}" $((SECONDS - start)))"
	if [ -s "$work/$name.killed" ]; then sed 's/^/#     /' "$work/$name.killed" | cut -c1-160 | cat -v; fi
}

# ---------------------------------------------------------------- main

# One function, called on the last line: bash has read the whole script
# before the first mutant, so editing it during a run is harmless.
main() {
	parse_list
	selected=()
	for i in "${!M_NAME[@]}"; do
		# shellcheck disable=SC2086 # a list of names
		if [ -z "${MUTANTS:-}" ] || printf '%s\n' $MUTANTS | grep -qxF "${M_NAME[i]}"; then
			selected+=("$i")
		fi
	done
	for m in ${MUTANTS:-}; do
		printf '%s\n' "${M_NAME[@]}" | grep -qxF "$m" || fatal "MUTANTS names '$m', which $list does not list"
	done
	[ ${#selected[@]} -gt 0 ] || fatal "no mutant selected"

	setup_copy
	build_sums "$work/baseline.sums"
	if [ "${MUTATION_BASELINE:-yes}" != no ]; then
		say "# baseline: every test without a mutant"
		if failed=$(first_failure); then
			fatal "$failed fails without any mutant (see $work/test.out): a kill would prove nothing"
		fi
	fi
	say "# ${#selected[@]} mutants; each: apply, rebuild, run the tests until one fails, restore"
	for i in "${selected[@]}"; do
		run_mutant "$i"
	done

	killed=0 bad=0
	for i in "${selected[@]}"; do
		case "${RESULT[${M_NAME[i]}]}" in
		KILLED*) killed=$((killed + 1)) ;;
		*) bad=$((bad + 1)) ;;
		esac
	done
	say "# score: $killed of ${#selected[@]} mutants killed$([ "$bad" -gt 0 ] && echo ", $bad survived or in error")"
	[ "$bad" = 0 ]
}

main "$@"; exit
