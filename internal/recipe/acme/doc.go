// Package acme is the recipe of CONTRIBUTING.md followed for a made-up
// vendor, kept compiling and tested so the recipe cannot rot. It is a client
// for the imaginary Acme messaging API: send a message with
// c.Messages.Send. Sends are never repeated once written; an error matching
// ErrMaybeDelivered means the message may have gone out.
package acme
