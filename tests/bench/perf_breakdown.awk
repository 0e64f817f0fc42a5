# Splits `perf script -F ip,sym,dso` samples taken inside pam_vsym's
# pam_sm_open_session by the step of the module they are in (the first
# listed function found on the stack, so nested steps are listed first),
# and tells how much of each step was spent in the kernel. Function names
# of the module as of commits 81b50b5 and d3f6ab0; a step it does not know
# shows up as "other code of the module".
BEGIN {
	n = split("vsym_user_lookup:user lookup (getpwnam, getgrouplist, getgrgid)|" \
		"vsym_file_read_as_user:read ~/.vsymrc in a forked child|" \
		"vsym_cfg_load_user:parse ~/.vsymrc|" \
		"vsym_policyfile_load_system:read and parse the system file|" \
		"vsym_ns_create:unshare + make / rslave|" \
		"vsym_marker_create:session marker tmpfs|" \
		"vsym_state_save:state and journal file writes|" \
		"vsym_target_resolve:resolve target as the user|" \
		"open_target:resolve target as the user|" \
		"vsym_target_open:resolve target as the user|" \
		"open_as_user:resolve source as the user|" \
		"path_of_fd:resolve source as the user|" \
		"vsym_policy_decide:policy decision|" \
		"vsym_bind_attach:bind (open_tree, mount_setattr, move_mount)|" \
		"vsym_tree_prepare:bind (open_tree, mount_setattr, move_mount)|" \
		"vsym_tree_attach:bind (open_tree, mount_setattr, move_mount)|" \
		"vsym_tree_attach_beneath:bind (open_tree, mount_setattr, move_mount)|" \
		"report_bind:syslog line per bind|" \
		"pam_syslog:other syslog lines|" \
		"vsym_policy_session_defaults:session defaults list|" \
		"vsym_policy_free:free the policy", steps, "|")
	for (i = 1; i <= n; i++) {
		split(steps[i], kv, ":")
		fn[i] = kv[1]
		label[i] = kv[2]
	}
}
/^[ \t]*$/ { flush(); next }
/^[ \t]/ { frames[++nf] = $0; next }
function flush(   i, j, key, inside) {
	inside = 0
	for (j = 1; j <= nf; j++)
		if (frames[j] ~ /pam_sm_open_session/)
			inside = 1
	if (inside) {
		total++
		key = "other code of the module"
		for (i = 1; i <= n && key == "other code of the module"; i++)
			for (j = 1; j <= nf; j++)
				if (frames[j] ~ ("[ \t]" fn[i] "[ +(]")) {
					key = label[i]
					break
				}
		count[key]++
		if (frames[1] ~ /kernel\.kallsyms/)
			kernel[key]++
	}
	nf = 0
}
END {
	flush()
	if (total == 0) {
		print "  no samples inside pam_sm_open_session (symbols missing?)"
		exit
	}
	printf "  %d samples inside pam_sm_open_session (CPU time, the reader child included)\n", total
	for (k in count)
		printf "  %5.1f%%  %-46s (%3.0f%% of it in the kernel)\n", 100 * count[k] / total, k,
			100 * kernel[k] / count[k] | "sort -rn"
	close("sort -rn")
}
