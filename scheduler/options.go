package scheduler

import "time"

// Clearinghouse is what the exchange needs of one clearinghouse's mailbox. The package
// reads no configuration file: the daemon maps clearinghouses[] into this.
type Clearinghouse struct {
	ID   string
	SFTP SFTPOptions
	// Paths are remote folders, relative to the SFTP login directory.
	Paths Paths
	// AfterDownload: delete, move (to Paths.Archive) or leave.
	AfterDownload    string
	UploadName       string   // text/template: {{.Set}} {{.Control}} {{.Time}}
	DownloadPatterns []string // shell patterns of the file names to download; empty takes every file
	Rename           string   // posix, rename or none (write the final name directly)
	// AlertAfterFailures is how many failed runs in a row raise the clearinghouse alert.
	AlertAfterFailures int
}

// SFTPOptions are how to reach and log in to a clearinghouse's SFTP server.
type SFTPOptions struct {
	Host        string
	Port        int // 0 means 22
	User        string
	KeyFile     string
	PasswordEnv string // name of the variable holding the password
	Password    string // never logged
	HostKey     string // known_hosts line, authorized-keys line or SHA256: fingerprint
	Timeout     time.Duration
	Keepalive   time.Duration
	Retries     int
}

// Paths are a clearinghouse's remote folders.
type Paths struct {
	Upload   string
	Download string
	Archive  string
	Recurse  bool // walk nested (per-TIN) folders under Download
}
