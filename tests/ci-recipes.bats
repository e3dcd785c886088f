#!/usr/bin/env bats
# The CI recipes of examples/, run the way CI runs them: the test reads the
# job's commands out of the YAML file (tests/helpers/ci_recipe.py), makes
# the shallow clone the CI system makes, sets the variables it sets, and
# runs the commands with the build tree's sghook in PATH. Only the
# "install sghook" part is not run (it needs the network); its package
# list is checked against install.sh's.

bats_require_minimum_version 1.5.0

load 'helpers/server'

GITLAB="$BATS_TEST_DIRNAME/../examples/gitlab-ci.yml"
GITHUB="$BATS_TEST_DIRNAME/../examples/github-actions.yml"
RECIPE="$BATS_TEST_DIRNAME/helpers/ci_recipe.py"

setup() {
	python3 -c 'import yaml' 2>/dev/null || skip "python3-yaml is not installed (tests/deps.sh)"
	setup_git_env
	need_jq_here
	export PATH="$SGHOOK_SRC:$(path_without_sghook)"
	TOKEN=$(new_token)
	APP="$SRV/app.git"
	git init -q --bare "$APP"
	STAMP=1700000000
}

need_jq_here() { command -v jq >/dev/null || skip "jq is not installed"; }

# fi_commits BRANCH FROM N [LEAK_AT PATH [TOKEN]]: N commits on BRANCH of
# the server repository, the first with parent FROM (none when empty);
# commit LEAK_AT (1-based) writes a Segment settings file holding TOKEN
# ($TOKEN by default) at PATH.
fi_commits() {
	local branch=$1 from=$2 n=$3 leak=${4:-0} path=${5:-} token=${6:-$TOKEN} i
	for ((i = 1; i <= n; i++)); do
		STAMP=$((STAMP + 60))
		printf 'commit refs/heads/%s\n' "$branch"
		printf 'committer Sghook Test <sghook-test@example.invalid> %d +0000\n' "$STAMP"
		printf 'data <<EOM\n%s %d\nEOM\n' "$branch" "$i"
		if [ "$i" -eq 1 ] && [ -n "$from" ]; then printf 'from %s\n' "$from"; fi
		if [ "$i" -eq "$leak" ]; then
			printf 'M 100644 inline %s\ndata <<EOM\n# analytics\nSEGMENT_API_TOKEN=%s\nEOM\n' "$path" "$token"
		else
			printf 'M 100644 inline notes/%s-%d.txt\ndata <<EOM\n%s %d\nEOM\n' "$branch" "$i" "$branch" "$i"
		fi
		printf '\n'
	done | git -C "$APP" fast-import --quiet
}
tip() { git -C "$APP" rev-parse "refs/heads/$1"; }

# The clone in $W holds every commit of BASE..HEAD with its parents: none
# of them is at the clone's cut, so each is judged against its real
# parents (git's own rev-list counts them the same as on the server).
assert_range_whole_in_clone() {
	local base=$1 head=$2 n
	n=$(git -C "$APP" rev-list --count "$base..$head")
	assert_equal "$(git -C "$W" rev-list --count "$base..$head")" "$n" "commits of the range in the clone"
	if [ -f "$W/.git/shallow" ] &&
		git -C "$W" rev-list "$base..$head" | grep -qxFf "$W/.git/shallow"; then
		fail_with "a commit of $base..$head is at the clone's cut"
	fi
}

# make_project MAIN MR [LEAK_AT]: main holds an old token (history from
# before sghook), then MAIN clean commits up to the merge base MB; the
# merge request (branch feature, also refs/merge-requests/1/head and
# refs/pull/1/head) has MR commits on MB, commit LEAK_AT adding $TOKEN in
# config/segment.env; main then moves on, with a token of its own. The
# three tokens differ: a blob the target already has is not new to the
# merge request.
make_project() {
	local main=$1 mr=$2 leak=${3:-0}
	fi_commits main "" 1 1 old.env "$(new_token)"
	fi_commits main "$(tip main)" "$main"
	MB=$(tip main)
	fi_commits feature "$MB" "$mr" "$leak" config/segment.env
	fi_commits main "$MB" 3 2 late.env "$(new_token)"
	MR_HEAD=$(tip feature)
	TARGET=$(tip main)
	git -C "$APP" update-ref refs/merge-requests/1/head "$MR_HEAD"
	git -C "$APP" update-ref refs/pull/1/head "$MR_HEAD"
}

# ---------------------------------------------------------------- GitLab

# The merge request pipeline: the runner fetches the merge request's head
# GIT_DEPTH deep and checks it out, then runs script with `set -eo pipefail`.
run_gitlab_job() {
	local job depth
	job=$(python3 "$RECIPE" gitlab "$GITLAB" sghook) || return 1
	depth=$(jq -r '.variables.GIT_DEPTH // "20"' <<<"$job")
	W="$BATS_TEST_TMPDIR/gitlab-build"
	git init -q "$W"
	git -C "$W" remote add origin "file://$APP"
	git -C "$W" fetch -q --no-tags --depth="$depth" origin \
		"+refs/merge-requests/1/head:refs/merge-requests/1/head"
	git -C "$W" checkout -q -f --detach "$MR_HEAD"
	local vars=()
	mapfile -t vars < <(jq -r '.variables | to_entries[] | "\(.key)=\(.value)"' <<<"$job")
	cd "$W" || return 1
	run --separate-stderr env "${vars[@]}" \
		CI=true GITLAB_CI=true CI_PIPELINE_SOURCE=merge_request_event \
		CI_COMMIT_SHA="$MR_HEAD" CI_MERGE_REQUEST_IID=1 \
		CI_MERGE_REQUEST_REF_PATH=refs/merge-requests/1/head \
		CI_MERGE_REQUEST_DIFF_BASE_SHA="$MB" \
		CI_MERGE_REQUEST_TARGET_BRANCH_NAME=main \
		bash --noprofile --norc -eo pipefail -c "$(jq -r .script <<<"$job")"
}

@test "the GitLab job fails a merge request whose commits add a token, and says where" {
	make_project 30 3 2
	run_gitlab_job
	assert_status 1
	assert_output_contains "config/segment.env:2"
	assert_output_contains "1 secret in 1 of 3 commits"
	assert_output_not_contains "old.env"
	assert_output_not_contains "$TOKEN"
}

@test "the GitLab job passes a clean merge request; the target's own tokens, old or new, are not its" {
	make_project 30 3
	run_gitlab_job
	assert_status 0
	assert_output_not_contains "old.env"
	assert_output_not_contains "late.env"
	# the clone stayed as shallow as GitLab made it
	assert_equal "$(git -C "$W" rev-parse --is-shallow-repository)" true
}

@test "the GitLab job deepens its 20-commit clone until a long merge request's diff base is in it" {
	make_project 100 30 1
	run_gitlab_job
	assert_range_whole_in_clone "$MB" "$MR_HEAD"
	assert_status 1
	assert_output_contains "config/segment.env:2"
	assert_output_contains "1 secret in 1 of 30 commits"
	git -C "$W" cat-file -e "$MB^{commit}"
	assert_equal "$(git -C "$W" rev-parse --is-shallow-repository)" true
}

@test "the GitLab job passes a long clean merge request and reports nothing older than it" {
	make_project 100 30
	run_gitlab_job
	assert_status 0
	assert_output_not_contains "old.env"
}

# ---------------------------------------------------------------- GitHub

# A pull_request run: each step in order, with the job's and the step's
# env; actions/checkout is done as it does it (a --depth fetch of the ref,
# then a detached checkout); the SARIF upload is checked instead of sent.
# Sets JOB_STATUS and FAILED_STEP; STEP_OUT holds each step's output.
run_github_job() {
	local ctx job n i name uses run_ depth ref
	ctx=$(jq -n --arg b "$TARGET" --arg h "$MR_HEAD" '{
		"github.event.pull_request.base.sha": $b,
		"github.event.pull_request.head.sha": $h,
		"vars.SGHOOK_GIT_URL": "(not used by the test)"}')
	job=$(python3 "$RECIPE" github "$GITHUB" sghook "$ctx") || return 1
	W="$BATS_TEST_TMPDIR/github-workspace"
	STEP_OUT="$BATS_TEST_TMPDIR/steps.log"
	: >"$STEP_OUT"
	JOB_STATUS=0 FAILED_STEP='' SARIF=''
	n=$(jq '.steps | length' <<<"$job")
	for ((i = 0; i < n; i++)); do
		name=$(jq -r ".steps[$i].name" <<<"$job")
		uses=$(jq -r ".steps[$i].uses" <<<"$job")
		run_=$(jq -r ".steps[$i].run" <<<"$job")
		local env_=()
		mapfile -t env_ < <(jq -r ".steps[$i].env | to_entries[] | \"\(.key)=\(.value)\"" <<<"$job")
		case $uses in
		actions/checkout@*)
			depth=$(jq -r ".steps[$i].with[\"fetch-depth\"] // \"1\"" <<<"$job")
			ref=$(jq -r ".steps[$i].with.ref" <<<"$job")
			git init -q "$W"
			git -C "$W" remote add origin "file://$APP"
			if [ "$depth" = 0 ]; then
				git -C "$W" fetch -q --no-tags origin "$ref"
			else
				git -C "$W" fetch -q --no-tags --depth="$depth" origin "$ref"
			fi
			git -C "$W" checkout -q -f --detach "$ref"
			;;
		github/codeql-action/upload-sarif@*)
			SARIF="$W/$(jq -r ".steps[$i].with.sarif_file" <<<"$job")"
			[ -s "$SARIF" ] || { JOB_STATUS=1 FAILED_STEP=$name; return 0; }
			;;
		'')
			[ "$name" = "Install sghook" ] && continue
			echo "# step: $name" >>"$STEP_OUT"
			(cd "$W" && env "${env_[@]}" RUNNER_TEMP="$BATS_TEST_TMPDIR" \
				GITHUB_WORKSPACE="$W" GITHUB_ACTIONS=true CI=true \
				bash --noprofile --norc -eo pipefail -c "$run_") \
				>>"$STEP_OUT" 2>&1 || { JOB_STATUS=$? FAILED_STEP=$name; return 0; }
			;;
		*)
			echo "the test does not know the action $uses; teach run_github_job" >&2
			return 1
			;;
		esac
	done
}

# The SARIF file is what code scanning takes: SARIF 2.1.0, one run of
# sghook, each result a rule and a relative path and line.
assert_sarif_for_code_scanning() {
	[ -n "$SARIF" ] && [ -s "$SARIF" ] || fail_with "no SARIF file was written"
	jq -e '.version == "2.1.0" and (.runs | length) == 1 and
		.runs[0].tool.driver.name == "sghook" and
		all(.runs[0].results[]; (.ruleId | length) > 0 and
			(.locations[0].physicalLocation.artifactLocation.uri | startswith("/") | not) and
			.locations[0].physicalLocation.region.startLine >= 1)' "$SARIF" >/dev/null ||
		fail_with "$SARIF is not SARIF code scanning takes: $(cat "$SARIF")"
}

@test "the GitHub workflow fails a pull request that adds a token, and its SARIF shows the file and line" {
	make_project 80 3 2
	run_github_job
	output=$(cat "$STEP_OUT")
	assert_equal "$JOB_STATUS" 1
	assert_equal "$FAILED_STEP" sghook
	assert_output_contains "config/segment.env:2"
	assert_output_not_contains "$TOKEN"
	assert_sarif_for_code_scanning
	assert_equal "$(jq -c '[.runs[0].results[] | [.ruleId, .locations[0].physicalLocation.artifactLocation.uri, .locations[0].physicalLocation.region.startLine]]' "$SARIF")" \
		'[["segment-public-api-token","config/segment.env",2]]'
	! grep -qF -- "$TOKEN" "$SARIF"
}

@test "the GitHub workflow passes a clean pull request, with an empty SARIF run; the base's tokens are not its" {
	make_project 80 3
	run_github_job
	output=$(cat "$STEP_OUT")
	assert_equal "$JOB_STATUS" 0 "failed step: $FAILED_STEP"
	assert_sarif_for_code_scanning
	assert_equal "$(jq '.runs[0].results | length' "$SARIF")" 0
	assert_equal "$(git -C "$W" rev-parse --is-shallow-repository)" true
}

@test "the GitHub workflow deepens its one-commit checkout until base and head meet, for a long pull request" {
	make_project 120 60 1
	run_github_job
	output=$(cat "$STEP_OUT")
	assert_range_whole_in_clone "$TARGET" "$MR_HEAD"
	assert_equal "$JOB_STATUS" 1
	assert_equal "$FAILED_STEP" sghook
	assert_output_contains "1 secret in 1 of 60 commits"
	assert_equal "$(jq '.runs[0].results | length' "$SARIF")" 1
	assert_equal "$(git -C "$W" rev-parse --is-shallow-repository)" true
}

# ---------------------------------------------------------------- install

# The Debian packages install.sh installs to build sghook (BUILD_PKGS).
install_sh_build_packages() {
	sed -n "s/^BUILD_PKGS=[\"']\(.*\)[\"']\$/\1/p" "$SGHOOK_SRC/install.sh" | tr ' ' '\n' |
		grep -v '^$' | sort -u
}

@test "the recipes' install steps install every package install.sh installs to build sghook" {
	local pkgs p f script
	pkgs=$(install_sh_build_packages)
	[ -n "$pkgs" ] || fail_with "no package list found in install.sh"
	for f in gitlab github; do
		if [ $f = gitlab ]; then
			script=$(python3 "$RECIPE" gitlab "$GITLAB" sghook | jq -r .before_script)
		else
			script=$(python3 "$RECIPE" github "$GITHUB" sghook '{"github.event.pull_request.base.sha":"","github.event.pull_request.head.sha":"","vars.SGHOOK_GIT_URL":""}' |
				jq -r '.steps[] | select(.name == "Install sghook") | .run')
		fi
		for p in $pkgs; do
			grep -E 'apt-get install' <<<"$script" | grep -qw -- "$p" ||
				fail_with "the $f recipe does not install $p, which install.sh installs to build sghook"
		done
		grep -q 'make -C .* install' <<<"$script" ||
			fail_with "the $f recipe does not make install sghook"
	done
}
