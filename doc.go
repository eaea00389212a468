// Package switchboard is the cross-vendor layer of the Switchboard SDK: one
// Phone type that converts to every vendor's number format.
package switchboard
