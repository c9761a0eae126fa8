//go:build !race

package fiximage

const raceEnabled = false
