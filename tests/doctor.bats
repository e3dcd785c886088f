#!/usr/bin/env bats
# sghook --doctor: in a repository, which hooks git runs and whether they
# call sghook, where the binary and the rules are, which sghook.* settings
# are in effect. Exit 0 with no problem, 1 with any "problem:" line, 2 on
# bad usage. It never writes.

bats_require_minimum_version 1.5.0

load 'helpers/server'

setup() {
	setup_git_env
	R="$BATS_TEST_TMPDIR/repo"
	git init -q "$R"
	commit_file "$R" README.md "hello"
	cd "$R" || return 1
}

doctor() {
	run --separate-stderr "$SGHOOK" --doctor "$@"
}

@test "--doctor in a repository with no hooks says each client hook is not installed" {
	doctor
	assert_status 0
	assert_output_contains "repository: $R/.git (work tree $R)"
	assert_output_contains "hooks: $R/.git/hooks"
	assert_output_contains "hook pre-commit: not installed"
	assert_output_contains "hook commit-msg: not installed"
	assert_output_contains "hook pre-push: not installed"
	assert_output_contains "no problems"
	assert_stderr_empty
}

@test "--doctor says which binary runs and where its rules come from" {
	doctor
	assert_status 0
	assert_output_matches "^sghook [0-9]"
	assert_output_contains "binary: $SGHOOK"
	assert_output_matches "^rules: $SGHOOK_SRC/rules \(beside the binary\): [0-9]+ rules: .*segment-public-api-token"
}

@test "--doctor shows the pre-commit hook install.sh installed and the sghook it calls" {
	"$INSTALL_SH" "$R" >/dev/null
	doctor
	assert_status 0
	assert_output_contains "hook pre-commit: calls sghook $SGHOOK ($R/.git/hooks/pre-commit, installed by install.sh)"
	assert_output_contains "hook pre-push: not installed"
}

@test "--doctor shows the commit-msg hook install.sh installed beside pre-commit, and the hook it chains" {
	mkdir -p "$R/.git/hooks"
	printf '#!/bin/sh\nexit 0\n' >"$R/.git/hooks/commit-msg"
	chmod +x "$R/.git/hooks/commit-msg"
	"$INSTALL_SH" "$R" >/dev/null
	doctor
	assert_status 0
	assert_output_contains "hook commit-msg: calls sghook $SGHOOK ($R/.git/hooks/commit-msg, installed by install.sh)"
	assert_output_contains "hook commit-msg: runs $R/.git/hooks/commit-msg.sghook-chained first"
}

@test "--doctor reports an installed hook whose sghook is gone and not in PATH" {
	"$INSTALL_SH" "$R" >/dev/null
	sed -i "s|^SGHOOK=.*|SGHOOK='/nonexistent/sghook'|" .git/hooks/pre-commit
	PATH=$(path_without_sghook) doctor
	assert_status 1
	assert_output_contains "problem: hook pre-commit: $R/.git/hooks/pre-commit calls sghook, which is not at /nonexistent/sghook and not in PATH"
	assert_output_contains "1 problem"
	# what doctor says is what git does: the commit is refused
	printf 'x\n' >x.txt
	git add x.txt
	local before
	before=$(head_of "$R")
	PATH=$(path_without_sghook) run git commit -q -m x
	assert_status 1
	assert_output_contains "sghook binary not found"
	assert_equal "$(head_of "$R")" "$before"
}

@test "--doctor says when an installed hook finds sghook in PATH instead of where it was installed" {
	"$INSTALL_SH" "$R" >/dev/null
	sed -i "s|^SGHOOK=.*|SGHOOK='/nonexistent/sghook'|" .git/hooks/pre-commit
	PATH="$SGHOOK_SRC:$(path_without_sghook)" doctor
	assert_status 0
	assert_output_contains "hook pre-commit: calls sghook $SGHOOK, found in PATH; the one it was installed with, /nonexistent/sghook, is gone"
}

@test "--doctor names the old hook install.sh chained in front of sghook" {
	printf '#!/bin/sh\nexit 0\n' >.git/hooks/pre-commit
	chmod +x .git/hooks/pre-commit
	"$INSTALL_SH" "$R" >/dev/null
	doctor
	assert_status 0
	assert_output_contains "hook pre-commit: runs $R/.git/hooks/pre-commit.sghook-chained first"
}

@test "--doctor tells a hook that does not call sghook from one of its own that does" {
	printf '#!/bin/sh\nexec make lint\n' >.git/hooks/pre-commit
	printf '#!/bin/sh\nexec sghook --pre-push "$@"\n' >.git/hooks/pre-push
	chmod +x .git/hooks/pre-commit .git/hooks/pre-push
	doctor
	assert_status 0
	assert_output_contains "hook pre-commit: does not call sghook ($R/.git/hooks/pre-commit)"
	assert_output_contains "hook pre-push: a hook of its own that mentions sghook ($R/.git/hooks/pre-push)"
}

@test "--doctor reports an sghook hook that is not executable, which git skips" {
	"$INSTALL_SH" "$R" >/dev/null
	chmod -x .git/hooks/pre-commit
	doctor
	assert_status 1
	assert_output_contains "problem: hook pre-commit: $R/.git/hooks/pre-commit is not executable, so git skips it"
}

@test "--doctor looks for hooks where core.hooksPath points" {
	git config core.hooksPath .githooks
	"$INSTALL_SH" "$R" >/dev/null
	doctor
	assert_status 0
	assert_output_contains "hooks: $R/.githooks (core.hooksPath)"
	assert_output_contains "hook pre-commit: calls sghook $SGHOOK ($R/.githooks/pre-commit, installed by install.sh)"
}

@test "--doctor in a bare server repository shows pre-receive and GitLab's custom hooks" {
	new_server app
	"$INSTALL_SH" --gitlab "$SRV/app.git" >/dev/null
	cd "$SRV/app.git"
	doctor
	assert_status 0
	assert_output_contains "repository: $SRV/app.git (bare)"
	assert_output_contains "hook pre-receive: not installed"
	assert_output_contains "hook custom_hooks/pre-receive.d/sghook: calls sghook $SGHOOK"
	assert_output_not_contains "hook pre-commit"
	"$INSTALL_SH" --server "$SRV/app.git" >/dev/null
	doctor
	assert_output_contains "hook pre-receive: calls sghook $SGHOOK ($SRV/app.git/hooks/pre-receive, installed by install.sh)"
}

@test "--doctor shows every sghook setting, its value and the config file that sets it" {
	git config sghook.jobs 3
	git config --global sghook.allowBypass yes
	doctor
	assert_status 0
	assert_output_contains "config sghook.jobs: 3 (local config)"
	assert_output_contains "config sghook.allowBypass: yes (global config)"
	assert_output_contains "config sghook.rules: not set: the built-in rules only"
	assert_output_contains "config sghook.auditLog: not set: bypasses are not logged"
}

@test "--doctor reports an sghook.jobs value that makes every scan fail" {
	git config sghook.jobs many
	doctor
	assert_status 1
	assert_output_contains "problem: config sghook.jobs: 'many' is not a number from 1 to 256"
	run --separate-stderr "$SGHOOK" --pre-commit
	assert_status 2
}

@test "--doctor reports a yes-or-no setting that is neither" {
	git config sghook.failOpen sometimes
	doctor
	assert_status 1
	assert_output_contains "problem: config sghook.failOpen: 'sometimes' is not a boolean"
}

@test "--doctor reports an sghook.timeout that is not a number of seconds" {
	git config sghook.timeout 4.5
	doctor
	assert_status 0
	assert_output_contains "config sghook.timeout: 4.5 (local config)"
	git config sghook.timeout 5s
	doctor
	assert_status 1
	assert_output_contains "problem: config sghook.timeout: sghook.timeout must be a number of seconds above 0 and up to 86400, not '5s'; every push stops with an error"
}

@test "--doctor reports an sghook setting that sghook does not have, such as a misspelt one" {
	git config sghook.failOpn true
	doctor
	assert_status 1
	assert_output_contains "problem: config sghook.failopn (local config): sghook has no such setting"
}

@test "--doctor knows every sghook setting that sghook and install.sh read" {
	local keys key
	# the keys the code passes to git config: "sghook.NAME" after cfg, in C,
	# and after git config in install.sh
	keys=$( { grep -oE 'cfg, "sghook\.[A-Za-z]+"' "$SGHOOK_SRC"/hook/*.c |
		grep -oE 'sghook\.[A-Za-z]+'
		grep -oE 'git config [^;|]*sghook\.[A-Za-z]+' "$SGHOOK_SRC/install.sh" |
		grep -oE 'sghook\.[A-Za-z]+'; } | sort -u)
	[ -n "$keys" ]
	for key in $keys; do
		git config "$key" 1
	done
	doctor
	for key in $keys; do
		assert_output_contains "config $key: 1 (local config)"
	done
	assert_output_not_contains "no such setting"
}

@test "--doctor reports rules from sghook.rules that do not load" {
	git config sghook.rules "$BATS_TEST_TMPDIR/missing.rules"
	doctor
	assert_status 1
	assert_output_contains "problem: rules $BATS_TEST_TMPDIR/missing.rules (git config sghook.rules): "
}

@test "--doctor lists the rules that --rules adds" {
	cat >"$BATS_TEST_TMPDIR/acme.rules" <<'EOF'
[rule "acme-api-key"]
	description = ACME API key
	keyword = acme_
	regex = acme_[a-f0-9]{32}
EOF
	doctor --rules "$BATS_TEST_TMPDIR/acme.rules"
	assert_status 0
	assert_output_contains "rules: $BATS_TEST_TMPDIR/acme.rules (--rules): 1 rule: acme-api-key"
}

@test "--doctor outside a repository still reports the binary, the rules and the user's settings" {
	mkdir "$BATS_TEST_TMPDIR/plain"
	cd "$BATS_TEST_TMPDIR/plain"
	# Outside a repository libgit2 reads ~/.gitconfig, not GIT_CONFIG_GLOBAL.
	git config --file "$HOME/.gitconfig" sghook.jobs 2
	GIT_CEILING_DIRECTORIES="$BATS_TEST_TMPDIR" doctor
	assert_status 0
	assert_output_contains "repository: none (not in a git repository"
	assert_output_contains "binary: $SGHOOK"
	assert_output_contains "config sghook.jobs: 2 (global config)"
	assert_output_not_contains "hook pre-commit"
}

@test "--doctor writes nothing to the repository" {
	"$INSTALL_SH" "$R" >/dev/null
	git config sghook.jobs nonsense
	local before
	before=$(snapshot "$R")
	doctor
	assert_status 1
	assert_equal "$(snapshot "$R")" "$before"
}

@test "--doctor takes no arguments and says so in one line" {
	doctor extra
	assert_status 2
	assert_output_empty
	assert_equal "$stderr" "sghook: --doctor takes no arguments; run it in the repository to look at"
}
