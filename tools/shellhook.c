#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "shellhook.h"

/* word in single quotes, each ' written as '\'' */
static void put_quoted(FILE *out, const char *word)
{
	fputc('\'', out);
	for (const char *p = word; *p != '\0'; p++) {
		if (*p == '\'')
			fputs("'\\''", out);
		else
			fputc(*p, out);
	}
	fputc('\'', out);
}

static void put_setting(FILE *out, const char *name, const char *value)
{
	fprintf(out, "  %s=", name);
	put_quoted(out, value);
	fputc('\n', out);
}

/* The walk from $PWD up to "/" and the test for a change, in builtins
 * only: [[ -f ]] and [[ -nt ]] are stat calls, not processes. The same
 * text reads in bash and zsh. */
static const char hook_body[] =
	"  __vsym_prompt() {\n"
	"    local __vsym_status=$? d f found=\n"
	"    if [[ $PWD != \"$__vsym_pwd\" ]]; then\n"
	"      __vsym_pwd=$PWD\n"
	"      __vsym_files=()\n"
	"      d=${PWD%/}\n"
	"      while :; do\n"
	"        for f in \"${__vsym_names[@]}\"; do\n"
	"          [[ -f $d/$f ]] && __vsym_files+=(\"$d/$f\")\n"
	"        done\n"
	"        [[ -z $d ]] && break\n"
	"        d=${d%/*}\n"
	"      done\n"
	"    fi\n"
	"    for f in \"${__vsym_files[@]}\"; do found+=$f/; done\n"
	"    if [[ $found != \"$__vsym_key\" ]]; then\n"
	"      __vsym_switch \"$found\"\n"
	"    elif [[ -e $__vsym_stamp ]]; then\n"
	"      for f in \"${__vsym_files[@]}\"; do\n"
	"        if [[ $f -nt $__vsym_stamp ]] && __vsym_changed \"$f\"; then\n"
	"          __vsym_switch \"$found\"; break\n"
	"        fi\n"
	"      done\n"
	"    fi\n"
	"    return $__vsym_status\n"
	"  }\n";

/* A file newer than the stamp: changed, unless it has a reference file
 * (named by its path, '%' and '/' escaped) of the very same time, which
 * -p made because the file was dated in the future: -nt and -ot both
 * false is the same time. */
static const char changed_body[] =
	"  __vsym_changed() {\n"
	"    local r=${1//[%]/%25}\n"
	"    r=$__vsym_refs/${r//[\\/]/%2F}\n"
	"    [[ ! -e $r || $1 -nt $r || $1 -ot $r ]]\n"
	"  }\n";

/* One process, and only here. Entering a project (no project file found
 * at the last switch), -p --before also prints, on its second line, what
 * this shell had bound just then ("NAME=" for no bind): given back for
 * every variant no project file names, until and when the shell leaves.
 * A failure prints vsym-rebind's message and leaves the values as they
 * are; the prompt comes anyway. */
static const char switch_body[] =
	"  __vsym_switch() {\n"
	"    local out rc=0\n"
	"    if [[ -z $__vsym_key ]]; then\n"
	"      out=$(\"$__vsym_tool\" -p \"$PWD\" --before) || rc=$?\n"
	"      __vsym_base=\n"
	"      if [[ $out == *$'\\n'* ]]; then __vsym_base=${out#*$'\\n'}; fi\n"
	"      out=${out%%%%$'\\n'*}\n"
	"    else\n"
	"      out=$(\"$__vsym_tool\" -p \"$PWD\" %s) || rc=$?\n"
	"    fi\n"
	"    __vsym_key=$1\n"
	"    if [[ $rc == 0 || -n $out ]]; then export VSYM_VARIANTS=$out; fi\n"
	"  }\n";

void shell_hook_print(FILE *out, const struct shell_hook *hook)
{
	bool zsh = strcmp(hook->shell, "zsh") == 0;

	fprintf(out, "# vsym (%s): a mount namespace of its own for each interactive shell, and\n"
		"# the project files found from the current directory up honoured before\n"
		"# each prompt. Made by: vsym-rebind --shell %s\n", hook->shell, hook->shell);
	fprintf(out, "if [[ %s ]]; then\n", zsh ? "-o interactive" : "$- == *i*");
	fputs("  if [[ ${__VSYM_SHELL-} != \"$$\" ]]; then\n"
	      "    export __VSYM_SHELL=$$\n    exec ", out);
	put_quoted(out, hook->tool);
	fprintf(out, " -x -- %s -i\n  fi\n", zsh ? "zsh" : "\"$BASH\"");
	fputs("fi\n", out);
	fprintf(out, "if [[ %s && ${__VSYM_SHELL-} == \"$$\" && -z ${__vsym_tool-} ]]; then\n",
		zsh ? "-o interactive" : "$- == *i*");
	put_setting(out, "__vsym_tool", hook->tool);
	put_setting(out, "__vsym_stamp", hook->stamp);
	put_setting(out, "__vsym_refs", hook->refs);
	put_setting(out, "export VSYM_VARIANTS", hook->values);
	fputs("  __vsym_names=(", out);
	for (size_t i = 0; i < hook->nnames; i++) {
		fputs(i > 0 ? " " : "", out);
		put_quoted(out, hook->names[i]);
	}
	fputs(")\n  __vsym_files=()\n  __vsym_pwd= __vsym_key= __vsym_base=\n", out);
	fputs(hook_body, out);
	fputs(changed_body, out);
	fprintf(out, switch_body, zsh ? "${=__vsym_base}" : "$__vsym_base");
	if (zsh)
		fputs("  precmd_functions=(__vsym_prompt $precmd_functions)\n", out);
	else
		fputs("  PROMPT_COMMAND=(__vsym_prompt \"${PROMPT_COMMAND[@]}\")\n", out);
	fputs("fi\n", out);
}
