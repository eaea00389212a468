// Package transport is the outbound HTTP core shared by the four vendor
// clients: base URLs, authentication, request encoding, the delivery-safety
// retry policy, streaming uploads, typed errors and secret redaction.
//
// It is built on go-retryablehttp with that library's unsafe defaults
// replaced: a request that may create something at the vendor (a send, an
// upload, a notify) is never repeated once any of it reached the wire, and
// the caller's context bounds every attempt and every wait.
//
// Vendor packages re-export the types users must name (Error,
// ValidationError, File, Option and the sentinels) with type aliases, so
// there is exactly one definition of each.
package transport

// Version is the SDK version sent in the User-Agent header.
const Version = "0.1.0"
