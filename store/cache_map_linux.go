package store

import (
	"os"
	"syscall"
	"unsafe"
)

// mapText maps size bytes of f from off on, read-only, its pages filled in
// at once from the page cache: the file's text without a copy, nor a
// fault a page. The mapping lasts as long as the process (see MapCache).
func mapText(f *os.File, off, size int64) (string, bool) {
	if size <= 0 || off < 0 || int64(int(size)) != size {
		return "", false
	}
	// A mapping starts on a page.
	skip := off % int64(os.Getpagesize())
	b, err := syscall.Mmap(int(f.Fd()), off-skip, int(size+skip), syscall.PROT_READ, syscall.MAP_PRIVATE|syscall.MAP_POPULATE)
	if err != nil {
		return "", false
	}
	b = b[skip:]
	return unsafe.String(unsafe.SliceData(b), len(b)), true
}
