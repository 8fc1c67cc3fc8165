//go:build !race

package resreg_test

// raceEnabled is set when the tests run with -race; see race_on_test.go.
const raceEnabled = false
