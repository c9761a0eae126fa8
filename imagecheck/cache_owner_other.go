//go:build !unix

package imagecheck

import "os"

// ownedPrivate checks only the permission bits where Go exposes no owner
// (Windows keeps ownership in ACLs, which the user cache dir already
// restricts to the user).
func ownedPrivate(fi os.FileInfo) bool { return fi.Mode().Perm()&0o022 == 0 }

const oNoFollow = 0

const oNonBlock = 0
