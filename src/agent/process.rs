//! Running one program to completion with a timeout: input on stdin, stdout and stderr
//! collected, and on timeout or cancellation the whole process group killed, so that
//! children a program started do not outlive it.

use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::process::Command;

/// A finished program's exit status and output.
#[derive(Debug)]
pub(crate) struct ProcessOutput {
    pub status: ExitStatus,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

/// The reason a program produced no output.
#[derive(Debug)]
pub(crate) enum ProcessFailure {
    /// The program could not be started.
    Spawn(std::io::Error),
    /// Reading its output or waiting for it failed.
    Io(std::io::Error),
    /// It ran past the timeout; its process group was killed.
    TimedOut,
}

/// Runs `command` in a new process group, writes `input` to its stdin, and collects its
/// output. The command's stdin, stdout and stderr are replaced by pipes.
pub(crate) async fn run_to_completion(
    mut command: Command,
    input: &[u8],
    timeout: Duration,
) -> Result<ProcessOutput, ProcessFailure> {
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    #[cfg(unix)]
    command.process_group(0);

    let mut child = command.spawn().map_err(ProcessFailure::Spawn)?;
    let group = ProcessGroup { leader: child.id() };
    let (stdin, stdout, stderr) = (child.stdin.take(), child.stdout.take(), child.stderr.take());

    let io = async {
        let write_input = async {
            if let Some(mut stdin) = stdin {
                // A program that exits without reading its input is not an error here.
                let _ = stdin.write_all(input).await;
            }
        };
        let (_, stdout, stderr, status) = tokio::join!(
            write_input,
            read_all(stdout),
            read_all(stderr),
            child.wait()
        );
        Ok::<_, std::io::Error>(ProcessOutput {
            status: status?,
            stdout: stdout?,
            stderr: stderr?,
        })
    };

    match tokio::time::timeout(timeout, io).await {
        Ok(result) => {
            group.release();
            result.map_err(ProcessFailure::Io)
        }
        Err(_) => {
            drop(group);
            // Kills the leader directly too, in case the group kill failed or is not
            // available, then reaps it so that it does not stay a zombie.
            let _ = child.start_kill();
            let _ = child.wait().await;
            Err(ProcessFailure::TimedOut)
        }
    }
}

async fn read_all(pipe: Option<impl AsyncRead + Unpin>) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    if let Some(mut pipe) = pipe {
        pipe.read_to_end(&mut bytes).await?;
    }
    Ok(bytes)
}

/// Kills a process group when dropped, which covers both a timeout and a caller that
/// drops the future mid-run. `release` skips the kill once the program has finished.
struct ProcessGroup {
    /// The group's id, which is its leader's process id; `None` if the leader was
    /// already reaped when the guard was made.
    leader: Option<u32>,
}

impl ProcessGroup {
    fn release(mut self) {
        self.leader = None;
    }
}

impl Drop for ProcessGroup {
    fn drop(&mut self) {
        let Some(leader) = self.leader else { return };
        kill_group(leader);
    }
}

/// Sends SIGKILL to every process in the group. The group id cannot name an unrelated
/// process here: a group id is not reused while the group has a member, and the guard
/// is dropped while the program or one of its children still runs.
#[cfg(unix)]
fn kill_group(leader: u32) {
    let Ok(group_id) = libc::pid_t::try_from(leader) else {
        return;
    };
    // SAFETY: kill(2) takes plain integers and touches no memory of this process.
    // A negative pid addresses the process group whose id is its absolute value.
    let result = unsafe { libc::kill(-group_id, libc::SIGKILL) };
    if result != 0 {
        let error = std::io::Error::last_os_error();
        tracing::debug!(group_id, %error, "killing the process group failed; it may have exited already");
    }
}

/// Without process groups, `kill_on_drop` stops the program itself but not its children.
#[cfg(not(unix))]
fn kill_group(_leader: u32) {}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn shell(script: &str) -> Command {
        let mut command = Command::new("/bin/sh");
        command.arg("-c").arg(script);
        command
    }

    #[tokio::test]
    async fn collects_stdout_and_stderr() {
        let output = run_to_completion(
            shell("cat; echo note >&2"),
            b"hello",
            Duration::from_secs(5),
        )
        .await
        .unwrap();
        assert!(output.status.success());
        assert_eq!(output.stdout, b"hello");
        assert_eq!(output.stderr, b"note\n");
    }

    #[tokio::test]
    async fn program_ignoring_stdin() {
        let input = vec![b'x'; 1 << 20];
        let output = run_to_completion(shell("echo done"), &input, Duration::from_secs(5))
            .await
            .unwrap();
        assert_eq!(output.stdout, b"done\n");
    }

    #[tokio::test]
    async fn timeout_is_reported() {
        let started = std::time::Instant::now();
        let failure = run_to_completion(shell("sleep 30"), b"", Duration::from_millis(200))
            .await
            .unwrap_err();
        assert!(matches!(failure, ProcessFailure::TimedOut), "{failure:?}");
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[tokio::test]
    async fn missing_program_fails_to_spawn() {
        let command = Command::new("/nonexistent/skilleval-test-program");
        let failure = run_to_completion(command, b"", Duration::from_secs(5))
            .await
            .unwrap_err();
        assert!(matches!(failure, ProcessFailure::Spawn(_)), "{failure:?}");
    }
}
