//go:build unix

package intake

import (
	"os"
	"syscall"
)

// openNoFollow opens an inbox file for reading without following a symlink (a link swapped
// in after the folder was listed fails with ELOOP) and without blocking on a FIFO.
func openNoFollow(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
}

// inode is the device and inode of fi: a file renamed keeps them, a file replaced does not.
func inode(fi os.FileInfo) [2]uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return [2]uint64{uint64(st.Dev), st.Ino}
	}
	return [2]uint64{}
}
