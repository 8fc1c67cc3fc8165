//go:build race

package resreg_test

// raceEnabled is set when the tests run with -race, which slows a SQLite
// step about tenfold: long randomised tests then run their -short length.
const raceEnabled = true
