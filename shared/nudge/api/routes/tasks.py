"""Tasks and goals: the same use cases as "todo: ...", "done ...", "break it down"."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from nudge.api.context import ApiContext
from nudge.api.problems import Problem
from nudge.api.router import router
from nudge.models import Energy, Goal, Task, TaskStatus


class TaskOut(BaseModel):
    id: str
    title: str
    notes: str | None
    status: TaskStatus
    priority: int
    due_at: datetime | None
    estimate_minutes: int | None
    energy: Energy | None
    goal_id: str | None
    parent_task_id: str | None = Field(description="set on a step of a broken-down task")
    order: int
    completed_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, task: Task) -> TaskOut:
        return cls.model_validate(task.model_dump())


class TaskList(BaseModel):
    tasks: list[TaskOut]


class TaskQuery(BaseModel):
    status: Literal["open", "done", "dropped", "all"] = "open"
    limit: int = Field(200, ge=1, le=500)


class TaskCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200)
    notes: str | None = Field(None, max_length=2000)
    priority: int = Field(3, ge=1, le=5, description="1 is most important")
    due_at: AwareDatetime | None = None
    estimate_minutes: int | None = Field(None, ge=1, le=24 * 60)
    energy: Energy | None = None
    goal_id: str | None = Field(None, max_length=128)


class TaskUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(None, min_length=1, max_length=200)
    notes: str | None = Field(None, max_length=2000)
    priority: int | None = Field(None, ge=1, le=5)
    due_at: AwareDatetime | None = None
    estimate_minutes: int | None = Field(None, ge=1, le=24 * 60)
    energy: Energy | None = None
    goal_id: str | None = Field(None, max_length=128)
    status: Literal["open", "in_progress", "dropped"] | None = Field(
        None, description="to complete a task use POST .../complete"
    )


class BreakDown(BaseModel):
    model_config = ConfigDict(extra="forbid")

    granularity: Literal["normal", "smaller"] = "normal"


class BrokenDown(BaseModel):
    task: TaskOut
    steps: list[TaskOut]


def _task(ctx: ApiContext, task_id: str) -> Task:
    return ctx.store.tasks.require(ctx.user_id, task_id)


def _check_goal(ctx: ApiContext, goal_id: str | None) -> None:
    if goal_id and ctx.store.goals.get(ctx.user_id, goal_id) is None:
        raise Problem(400, "no such goal")


@router.route("GET", "/v1/tasks", tag="tasks", query=TaskQuery, response=TaskList)
def list_tasks(ctx: ApiContext, query: TaskQuery) -> TaskList:
    """Your tasks (open ones by default), most important and soonest due first."""
    if query.status == "open":
        tasks = ctx.store.tasks.open_tasks(ctx.user_id)
    elif query.status == "all":
        tasks = ctx.store.tasks.list(ctx.user_id)
    else:
        tasks = ctx.store.tasks.list(ctx.user_id, where=[("status", "==", query.status)])
    far = datetime.max.replace(tzinfo=ctx.now.tzinfo)
    tasks.sort(key=lambda t: (t.priority, t.due_at or far, t.created_at))
    return TaskList(tasks=[TaskOut.of(t) for t in tasks[: query.limit]])


@router.route("POST", "/v1/tasks", tag="tasks", body=TaskCreate, response=TaskOut, status=201)
def create_task(ctx: ApiContext, body: TaskCreate) -> TaskOut:
    """Add a task (an open task of the same title is returned instead of a second one)."""
    from nudge.agent.tools.tasks import AddTaskArgs, add_task

    _check_goal(ctx, body.goal_id)
    result = add_task(ctx.tools(), AddTaskArgs(**body.model_dump()))
    return TaskOut.of(_task(ctx, result["id"]))


@router.route("GET", "/v1/tasks/{task_id}", tag="tasks", response=TaskOut)
def get_task(ctx: ApiContext, task_id: str) -> TaskOut:
    """One task."""
    return TaskOut.of(_task(ctx, task_id))


@router.route("PATCH", "/v1/tasks/{task_id}", tag="tasks", body=TaskUpdate, response=TaskOut)
def update_task(ctx: ApiContext, task_id: str, body: TaskUpdate) -> TaskOut:
    """Change a task's title, notes, priority, due time, estimate, energy, goal or status."""
    _task(ctx, task_id)
    changes = body.model_dump(exclude_unset=True)
    if "title" in changes and changes["title"] is None:
        raise Problem(400, "a task needs a title")
    _check_goal(ctx, changes.get("goal_id"))
    if changes.get("status") is None:
        changes.pop("status", None)
    if not changes:
        return get_task(ctx, task_id)
    return TaskOut.of(ctx.store.tasks.update(ctx.user_id, task_id, **changes))


@router.route("POST", "/v1/tasks/{task_id}/complete", tag="tasks", response=TaskOut)
def complete_task(ctx: ApiContext, task_id: str) -> TaskOut:
    """Mark a task done (as texting "done ..." does). Done already: answered as it is."""
    from nudge.agent.tools.tasks import CompleteTaskArgs
    from nudge.agent.tools.tasks import complete_task as complete

    task = _task(ctx, task_id)
    if task.status in (TaskStatus.open, TaskStatus.in_progress):
        complete(ctx.tools(), CompleteTaskArgs(task_id=task_id))
    return TaskOut.of(_task(ctx, task_id))


@router.route(
    "POST",
    "/v1/tasks/{task_id}/break-down",
    tag="tasks",
    body=BreakDown,
    response=BrokenDown,
    problems=((409, "the task is done, dropped, or itself a step"),),
)
def break_down_task(ctx: ApiContext, task_id: str, body: BreakDown) -> BrokenDown:
    """Break an open task into a few tiny first steps (replacing earlier steps)."""
    from nudge.agent.tools.planning import BreakDownArgs
    from nudge.agent.tools.planning import break_down_task as break_down

    task = _task(ctx, task_id)
    if task.status not in (TaskStatus.open, TaskStatus.in_progress) or task.parent_task_id:
        raise Problem(409, "only an open task (not a step) can be broken down")
    break_down(ctx.tools(), BreakDownArgs(task_id=task_id, granularity=body.granularity))
    steps = ctx.store.tasks.list(ctx.user_id, where=[("parent_task_id", "==", task_id)])
    steps = sorted((s for s in steps if s.status == TaskStatus.open), key=lambda s: s.order)
    return BrokenDown(task=TaskOut.of(_task(ctx, task_id)), steps=[TaskOut.of(s) for s in steps])


# -- goals --------------------------------------------------------------------------------


class GoalOut(BaseModel):
    id: str
    title: str
    description: str | None
    parent_goal_id: str | None
    progress: int
    target_date: date | None
    status: str
    created_at: datetime

    @classmethod
    def of(cls, goal: Goal) -> GoalOut:
        return cls.model_validate(goal.model_dump())


class GoalList(BaseModel):
    goals: list[GoalOut]


class GoalCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=2, max_length=200)
    description: str | None = Field(None, max_length=1000)
    target_date: date | None = None
    parent_goal_id: str | None = Field(None, max_length=128)


class GoalUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    progress: int | None = Field(None, ge=0, le=100)
    status: Literal["active", "done", "dropped"] | None = None


@router.route("GET", "/v1/goals", tag="goals", response=GoalList)
def list_goals(ctx: ApiContext) -> GoalList:
    """Your goals, active ones first."""
    goals = ctx.store.goals.list(ctx.user_id)
    goals.sort(key=lambda g: (g.status != "active", g.created_at))
    return GoalList(goals=[GoalOut.of(g) for g in goals])


@router.route("POST", "/v1/goals", tag="goals", body=GoalCreate, response=GoalOut, status=201)
def create_goal(ctx: ApiContext, body: GoalCreate) -> GoalOut:
    """Add a goal (optionally under a bigger one)."""
    from nudge.agent.tools.goals import AddGoalArgs, add_goal

    result = add_goal(ctx.tools(), AddGoalArgs(**body.model_dump()))
    if "error" in result:
        raise Problem(400, result["error"])
    return GoalOut.of(ctx.store.goals.require(ctx.user_id, result["id"]))


@router.route("PATCH", "/v1/goals/{goal_id}", tag="goals", body=GoalUpdate, response=GoalOut)
def update_goal(ctx: ApiContext, goal_id: str, body: GoalUpdate) -> GoalOut:
    """Change a goal's progress (percent) or status."""
    from nudge.agent.tools.goals import UpdateGoalArgs
    from nudge.agent.tools.goals import update_goal as update

    ctx.store.goals.require(ctx.user_id, goal_id)
    if body.progress is not None or body.status is not None:
        update(ctx.tools(), UpdateGoalArgs(goal_id=goal_id, **body.model_dump(exclude_none=True)))
    return GoalOut.of(ctx.store.goals.require(ctx.user_id, goal_id))


@router.route("POST", "/v1/goals/{goal_id}/complete", tag="goals", response=GoalOut)
def complete_goal(ctx: ApiContext, goal_id: str) -> GoalOut:
    """Mark a goal done (progress 100)."""
    return update_goal(ctx, goal_id, GoalUpdate(progress=100, status="done"))
