# shellcheck shell=bash
# tests/lib/sandbox-mounts.sh - sourced by tests/lib/sandbox.sh, whose
# header states the contract of these functions. Here: mount tables: the
# mounts of a process, the top mount on a path.

# Mount table without the IDs that change between reads: mount ID, parent
# ID, dev numbers and propagation peer-group numbers.
_sandbox_mountinfo_norm() {
	awk '{ for (i = 7; $i != "-"; i++) ; print $5, $4, $(i+1), $(i+2), $6, $(i+3) }'
}

sandbox_mountinfo_of() { # PID
	_sandbox_mountinfo_norm <"/proc/$1/mountinfo"
}

# Of the mounts on PATH, the top one is the one no other mount on PATH
# is mounted on (its mount ID is nobody's parent ID there): that holds
# whatever order mountinfo lists them in.
sandbox_top_mount() { # PATH [PID]
	awk -v path="$1" '
		function unescape(s,   out) {
			out = ""
			while (match(s, /\\[0-7][0-7][0-7]/)) {
				out = out substr(s, 1, RSTART - 1) sprintf("%c", \
					substr(s, RSTART + 1, 1) * 64 + substr(s, RSTART + 2, 1) * 8 + substr(s, RSTART + 3, 1))
				s = substr(s, RSTART + 4)
			}
			return out s
		}
		unescape($5) == path { line[$1] = $0; below[$2] = 1 }
		END { for (id in line) if (!(id in below)) print line[id] }' "/proc/${2:-self}/mountinfo"
}

sandbox_top_fstype() { # PATH [PID]
	sandbox_top_mount "$@" | awk '{ for (i = 7; $i != "-"; i++) ; print $(i + 1) }'
}
