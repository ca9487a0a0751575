"""Group commit: one writer thread runs every waiting write request in one transaction.

A durable commit (an fsync with SQLite's synchronous=FULL) costs about as much as all the
work of a small write, so committing once for everything that queued up meanwhile multiplies
the write rate. A request that raises rolls back only its own changes and gets its exception,
the others carry on: the batch first runs without savepoints (their two extra statements per
request cost a third of issuing's CPU), and only when one of its requests raises is the whole
transaction rolled back and the batch run again, each request inside its own SAVEPOINT. So a
request's operation may run twice; it must touch nothing but its session (what it hands to
`after_commit` is dropped with the rollback). Nobody gets an answer before the one commit has
succeeded; when the commit fails, every request of the batch gets that error, and none of
their changes is stored.
"""

import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlmodel import Session

from queue_server.domain.errors import DomainError

log = logging.getLogger(__name__)

T = TypeVar("T")

_AFTER_COMMIT_KEY = "yimen.after_commit"


def after_commit(session: Session, item: object) -> None:
    """Hand `item` to the writer's `on_commit` once this transaction has committed; dropped
    when the request's savepoint (or the whole transaction) rolls back."""
    session.info.setdefault(_AFTER_COMMIT_KEY, []).append(item)


def pending_items(session: Session) -> list[object]:
    """What this transaction's requests have passed to `after_commit` so far, oldest first
    (those of a request rolled back with its savepoint are gone)."""
    items: list[object] = session.info.setdefault(_AFTER_COMMIT_KEY, [])
    return items


DEFAULT_MAX_BATCH = 256
"""Most requests committed together; bounds how long the first of them waits."""


class WriterClosed(RuntimeError):
    """The writer was closed before this request ran."""


@dataclass(frozen=True, slots=True)
class _Request(Generic[T]):
    operation: Callable[[Session], T]
    future: "Future[T]"


_STOP = object()


class _RequestFailed(Exception):
    """A request of a batch run without savepoints raised `error`."""

    def __init__(self, error: Exception) -> None:
        super().__init__(error)
        self.error = error


class GroupCommitWriter:
    """Runs submitted operations in batches, one transaction per batch, one batch at a time.

    `transaction` opens a session whose transaction already holds the hall's write lock and
    commits when its block ends without an exception (`Database.write_session`).
    """

    def __init__(
        self,
        transaction: Callable[[], AbstractContextManager[Session]],
        *,
        max_batch: int = DEFAULT_MAX_BATCH,
        name: str = "group-commit",
        on_commit: Callable[[list[object]], None] | None = None,
        around: Callable[[Session], AbstractContextManager[object]] | None = None,
    ) -> None:
        """`on_commit` gets, on the writer thread right after each commit and before any
        request of the batch is answered, what the batch's requests passed to
        `after_commit`, in order. `around` wraps each request's operation, inside its
        savepoint if it has one (services/live.py folds what the request wrote into its
        hall's state)."""
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self._transaction = transaction
        self.on_commit = on_commit
        self._around = around
        self._max_batch = max_batch
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._closed = False
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()
        self.batches = 0
        """Transactions committed or attempted, for tests and benchmarks."""

    def submit(self, operation: Callable[[Session], T]) -> "Future[T]":
        """Queue `operation(session)`; the future resolves after its batch has committed."""
        future: Future[T] = Future()
        with self._lock:
            if self._closed:
                raise WriterClosed("the database writer is closed")
            self._queue.put(_Request(operation, future))
        return future

    def close(self, timeout: float | None = None) -> None:
        """Run what is queued, then stop the thread."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._queue.put(_STOP)
        self._thread.join(timeout)

    def _take_batch(self) -> tuple[list["_Request[Any]"], bool]:
        """Block for one request, then take every other one already waiting."""
        first = self._queue.get()
        if first is _STOP:
            return [], True
        batch = [first]
        while len(batch) < self._max_batch:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is _STOP:
                return batch, True
            batch.append(item)
        return batch, False

    def _run(self) -> None:
        stop = False
        while not stop:
            batch, stop = self._take_batch()
            if batch:
                self._commit(batch)

    def _commit(self, batch: list["_Request[Any]"]) -> None:
        # A request whose caller gave up before it started is not run at all.
        live = [request for request in batch if request.future.set_running_or_notify_cancel()]
        if not live:
            return
        try:
            outcomes, committed = self._transact(live, isolated=False)
        except _RequestFailed as failed:
            if len(live) == 1:
                # Alone in its transaction: its failure is its answer, no need to run it again.
                self._fail(live, failed.error)
                return
            try:
                outcomes, committed = self._transact(live, isolated=True)
            except BaseException as error:
                self._fail(live, error)
                return
        except BaseException as error:  # the writer thread must outlive any one batch
            self._fail(live, error)
            return
        if committed and self.on_commit is not None:
            try:
                self.on_commit(committed)
            except Exception:
                log.exception("the after-commit hook failed")
        for request, failure, result in outcomes:
            if failure is not None:
                request.future.set_exception(failure)
            else:
                request.future.set_result(result)

    @staticmethod
    def _fail(live: list["_Request[Any]"], error: BaseException) -> None:
        """Every request of the batch gets `error`: nothing of the batch was stored."""
        for request in live:
            request.future.set_exception(error)
        if len(live) > 1 or not isinstance(error, DomainError):
            log.warning("a group commit of %d write(s) failed: %r", len(live), error)

    def _transact(
        self, live: list["_Request[Any]"], *, isolated: bool
    ) -> tuple[list[tuple["_Request[Any]", BaseException | None, Any]], list[object]]:
        """Run the batch in one transaction and commit it. Not `isolated`, the first request
        that raises aborts the transaction with `_RequestFailed`; `isolated`, each request
        runs in a savepoint of its own and a failure is its answer."""
        self.batches += 1
        outcomes: list[tuple[_Request[Any], BaseException | None, Any]] = []
        with self._transaction() as session:
            for request in live:
                if isolated:
                    outcomes.append(self._run_in_savepoint(session, request))
                    continue
                try:
                    result = self._operate(session, request)
                except Exception as error:
                    raise _RequestFailed(error) from error
                outcomes.append((request, None, result))
            committed = list(pending_items(session))
        return outcomes, committed

    def _operate(self, session: Session, request: "_Request[T]") -> T:
        if self._around is None:
            return request.operation(session)
        with self._around(session):
            return request.operation(session)

    def _run_in_savepoint(
        self, session: Session, request: "_Request[T]"
    ) -> tuple["_Request[T]", Exception | None, T | None]:
        pending = pending_items(session)
        mark = len(pending)
        try:
            with session.begin_nested():
                result = self._operate(session, request)
        except Exception as error:
            del pending[mark:]
            return request, error, None
        return request, None, result
