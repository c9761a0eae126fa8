// Package imagecheck finds, before a request is sent, the media URLs that
// would make an APIXO generation task fail after it was accepted
// (INVALID_IMAGE_URL, IMAGE_DOWNLOAD_FAILED, IMAGE_TOO_LARGE,
// UNSUPPORTED_FORMAT).
//
// It has two layers. CheckURL and IsPublicAddr work offline: they reject
// strings that can never be a publicly accessible http(s) URL. The network
// probe is added on top of them.
//
// The package imports no other preflight package, so it can be used on its
// own.
package imagecheck
