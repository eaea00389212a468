// Package sandbox is the part every vendor sandbox shares: an httptest
// server with a request log and fault injection, so a test can make the next
// calls fail, stall or lose their connection the way production does.
package sandbox
