package chattutest

import (
	"bytes"
	"crypto/sha256"
	"image"
	"image/color"
	"image/png"
)

// qrPNG draws a QR-like PNG: 29x29 modules with the three finder squares
// of a real QR code and a body derived from seed, 8 pixels a module with a
// 4-module quiet zone. It is deterministic and a valid PNG, but not a
// scannable code (no QR encoder is available without a dependency): tests
// "scan" with Server.Scan.
func qrPNG(seed string) []byte {
	const modules, scale, quiet = 29, 8, 4
	size := (modules + 2*quiet) * scale
	img := image.NewGray(image.Rect(0, 0, size, size))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	sum := sha256.Sum256([]byte(seed))
	bit := func(x, y int) bool {
		h := sha256.Sum256(append(sum[:], byte(x), byte(y)))
		return h[0]&1 == 1
	}
	finder := func(x, y int) (bool, bool) {
		for _, o := range [][2]int{{0, 0}, {modules - 7, 0}, {0, modules - 7}} {
			dx, dy := x-o[0], y-o[1]
			if dx >= -1 && dx <= 7 && dy >= -1 && dy <= 7 {
				if dx < 0 || dy < 0 || dx > 6 || dy > 6 {
					return true, false // separator
				}
				ring := dx == 0 || dy == 0 || dx == 6 || dy == 6
				core := dx >= 2 && dx <= 4 && dy >= 2 && dy <= 4
				return true, ring || core
			}
		}
		return false, false
	}
	for y := 0; y < modules; y++ {
		for x := 0; x < modules; x++ {
			in, dark := finder(x, y)
			if !in {
				dark = bit(x, y)
			}
			if !dark {
				continue
			}
			for py := 0; py < scale; py++ {
				for px := 0; px < scale; px++ {
					img.SetGray((x+quiet)*scale+px, (y+quiet)*scale+py, color.Gray{Y: 0})
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil
	}
	return buf.Bytes()
}
