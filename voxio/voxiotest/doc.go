// Package voxiotest is an in-memory Voxio Chat for tests and demos: every
// External API endpoint with state, the vendor's answers (HTTP 200 with
// "status":"error" for validation errors, the Unauthorized and IP-whitelist
// answers, not_found), Laravel pagination, fault injection from
// internal/sandbox, and signed Inbound Relay deliveries to a URL of the
// test's choosing.
//
//	s := voxiotest.NewServer()
//	defer s.Close()
//	c, _ := s.NewClient()
//	c.Messages.Send(ctx, voxio.SendMessageParams{...})
//
// The Voxio handler hashes uploaded files as it reads them and keeps only
// their name, type, size and SHA-256; the request log keeps at most the
// first MiB of each body. A 100 MB document sent to the sandbox therefore
// streams through it in constant memory, as it does through the client.
package voxiotest
