#!/usr/bin/env python3
"""A stand-in for pexen's scheduler running one task: the baseline of bench/startup.sh.

This is NOT pexen (the package is not installed here). It does, in one file, what a script that runs one task with
pexen's scheduler does, so that its start-up cost is comparable:

- imports what pexen's scheduler and pool modules import (threading, queue, multiprocessing and its queues, pickle,
  warnings, collections) and subprocess for the task;
- builds the task tree the way the scheduler does before running: a map of requires/provides, a dependency
  simulation that checks every require is met, a per-task shared-state map, the mutex sanity check, and a priority
  queue for the frontline;
- starts a thread worker pool (one worker thread, a task queue and a result queue), submits the task, whose body runs
  `true` through subprocess, collects the result from the result queue, shuts the pool down and joins the worker;
- prints the result and exits 0 if the task passed, 1 if it failed.

Usage: python3 bench/pexen_standin.py [COMMAND...]   (default: true)
"""

import collections
import multiprocessing
import multiprocessing.queues  # noqa: F401 - imported by pexen's pool for its picklability check
import pickle  # noqa: F401 - likewise
import queue
import subprocess
import sys
import threading
import warnings  # noqa: F401 - pexen's planner warns through it

TaskResult = collections.namedtuple("TaskResult", ["task", "shared", "ret", "excinfo"])
_WorkerMessage = collections.namedtuple("_WorkerMessage", ["worker", "kind", "task_id", "shared", "ret", "excinfo"])


def _meta(task, name):
    """Scheduling attributes are stored on the callable, as pexen's task metadata is."""
    return getattr(task, "_sched_" + name, set() if name in ("requires", "provides", "uses", "claims") else 0)


class DependencyMap:
    def __init__(self, tasks):
        self.by_provide = {}
        for task in tasks:
            requires = set(_meta(task, "requires"))
            for require in requires:
                self.by_provide.setdefault(require, {})[task] = requires

    def satisfy(self, task):
        for provide in _meta(task, "provides"):
            for child, requires in self.by_provide.pop(provide, {}).items():
                requires.discard(provide)
                if not requires:
                    yield child

    def simulate(self, tasks):
        frontline = [t for t in tasks if not _meta(t, "requires")]
        for task in frontline:
            frontline.extend(self.satisfy(task))
        if self.by_provide:
            raise RuntimeError(f"unsatisfied requires: {list(self.by_provide)}")


class ThreadWorkerPool:
    def __init__(self, workers=1):
        self.tasks = queue.Queue()
        self.results = queue.Queue()
        self.threads = [threading.Thread(target=self._work, args=(i,)) for i in range(workers)]
        self.by_id = {}
        self.active = 0

    def _work(self, worker):
        while (item := self.tasks.get()) is not None:
            task_id, shared = item
            try:
                ret = self.by_id[task_id]()
                self.results.put(_WorkerMessage(worker, "done", task_id, shared, ret, None))
            except Exception:  # a failing task is a result, as in pexen
                self.results.put(_WorkerMessage(worker, "done", task_id, shared, None, sys.exc_info()))
        self.results.put(_WorkerMessage(worker, "finished", None, None, None, None))

    def start(self):
        for thread in self.threads:
            thread.start()

    def submit(self, task, shared):
        self.by_id[id(task)] = task
        self.tasks.put((id(task), shared))
        self.active += 1

    def results_until_done(self):
        unfinished = len(self.threads)
        while unfinished or self.active:
            message = self.results.get()
            if message.kind == "finished":
                self.threads[message.worker].join()
                unfinished -= 1
            else:
                self.active -= 1
                if not self.active:
                    for _ in self.threads:
                        self.tasks.put(None)
                yield TaskResult(self.by_id[message.task_id], message.shared, message.ret, message.excinfo)


def run(tasks):
    tasks = set(tasks)
    DependencyMap(tasks).simulate(tasks)  # the scheduler's dependency check, on a throwaway map
    dependencies = DependencyMap(tasks)
    shared = {task: {} for task in tasks}
    for task in tasks:  # the mutex sanity check
        if _meta(task, "uses") & _meta(task, "claims"):
            raise RuntimeError(f"{task} both uses and claims a lock")
    frontline = sorted(((_meta(t, "priority"), i, t) for i, t in enumerate(tasks) if not _meta(t, "requires")),
                       key=lambda entry: entry[:2])
    pool = ThreadWorkerPool(workers=1)
    pool.start()
    for _, _, task in frontline:
        pool.submit(task, shared[task])
    for result in pool.results_until_done():
        yield result
        for child in dependencies.satisfy(result.task):
            pool.submit(child, shared[child])


def main(argv):
    command = argv or ["true"]

    def only():
        return subprocess.run(command, check=True).returncode

    passed = True
    for result in run([only]):
        passed = passed and result.excinfo is None
        print(f"{result.task.__name__}: {'passed' if result.excinfo is None else 'failed'} (ret={result.ret})")
    return 0 if passed else 1


if __name__ == "__main__":
    # pexen's process pool needs multiprocessing; the thread pool used here only imports it, as pexen does.
    assert multiprocessing is not None
    sys.exit(main(sys.argv[1:]))
