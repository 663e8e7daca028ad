package store

import (
	"os"
	"syscall"
	"unsafe"
)

// mapText maps the first size bytes of f, read-only, its pages filled in
// at once from the page cache: the file's text without a copy, nor a
// fault a page. The mapping lasts as long as the process (see MapCache).
func mapText(f *os.File, size int64) (string, bool) {
	if size <= 0 || int64(int(size)) != size {
		return "", false
	}
	b, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_PRIVATE|syscall.MAP_POPULATE)
	if err != nil {
		return "", false
	}
	return unsafe.String(unsafe.SliceData(b), len(b)), true
}
