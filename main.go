// Command corral starts, watches and stops AI coding agents and other
// long-running commands from one terminal screen.
package main

import (
	"fmt"
	"os"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "corral:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	_ = args
	fmt.Println("corral: the registry is in place; the interface comes next.")
	return nil
}
