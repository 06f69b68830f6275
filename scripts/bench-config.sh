# Sourced by the benchmark scripts: bench_config BIN DIR writes DIR/bench.yml, the built-in
# configuration (the generated sessions' practice and payers) with the clearinghouse's SFTP
# pointed at a closed port and the simulator off, so upload and download fail at once and a
# run measures the pipeline up to recorded files; claims do not wait for a 271, since none
# comes. It fails when a substitution no longer matches the built-in configuration.
bench_config() {
	local bin=$1 dir=$2
	"$bin" config check -q >/dev/null # the built-in configuration is valid
	"$bin" config check >"$dir/builtin.yml"
	sed -e 's/^    simulator: true/    simulator: false/' -e 's/^      port: 0$/      port: 1/' \
		-e 's/^      password: ""/      password: "unused"/' -e 's/^      retries: 3/      retries: 0/' \
		-e 's/^      timeout: 10s/      timeout: 1s/' \
		-e 's/^  wait_for_eligibility: .*/  wait_for_eligibility: 0s/' \
		-e 's|^      host_key: ""|      host_key: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"|' \
		"$dir/builtin.yml" >"$dir/bench.yml"
	grep -q '^    simulator: false' "$dir/bench.yml" || { echo "bench config: simulator not turned off" >&2; return 1; }
	grep -q '^  wait_for_eligibility: 0s' "$dir/bench.yml" || { echo "bench config: wait_for_eligibility not turned off" >&2; return 1; }
	"$bin" config check --config "$dir/bench.yml" -q >/dev/null
}
