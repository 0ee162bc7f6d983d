package registry

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// adoptOnTerminal runs in a helper process that owns a terminal: it starts
// a job (its own process group on that terminal) and a plain child, and
// prints what CheckAdoptable says of its session leader (itself: refused
// as corral), the job and the child.
func adoptOnTerminal() int {
	job := exec.Command("sleep", "7363")
	job.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	plain := exec.Command("sleep", "7364")
	for _, c := range []*exec.Cmd{job, plain} {
		if err := c.Start(); err != nil {
			fmt.Println("start:", err)
			return 1
		}
		defer func() { _ = c.Process.Kill(); _ = c.Wait() }()
	}
	for _, c := range []*exec.Cmd{job, plain} {
		for i := 0; i < 1000; i++ { // until the exec shows
			if b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", c.Process.Pid)); strings.HasPrefix(string(b), "sleep") {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	say := func(name string, pid int) {
		if err := CheckAdoptable(pid); err != nil {
			fmt.Printf("%s: %v\n", name, err)
		} else {
			fmt.Printf("%s: ok\n", name)
		}
	}
	say("job", job.Process.Pid)
	say("plain", plain.Process.Pid)
	fmt.Println("end")
	return 0
}
