// Package archtest holds the test that keeps edigate's dependencies pointing one way: the
// X12 engine knows nothing of the project, the domain packages (claims, remit, eligibility,
// lifecycle, queue) know nothing of storage, configuration files, SFTP, HTTP or cron, and
// only the daemon and the CLI know everything.
//
// It is a package of tests only: deps_test.go reads the graph with go list.
package archtest
