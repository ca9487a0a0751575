"""Chinese column headings for the statistics keys, for people reading exports and reports."""

from typing import Final

ROW_LABELS: Final[dict[str, str]] = {
    "key": "分组",
    "label": "名称",
    "issued": "取号",
    "transferred_in": "转入",
    "called": "叫号",
    "served": "办结",
    "no_show": "过号",
    "transferred": "转出",
    "cancelled": "取消",
    "abandoned": "离开未办",
    "open": "进行中",
    "requeued": "过号重排",
    "recalled": "重呼",
    "wait_mean": "平均等候(秒)",
    "wait_median": "等候中位数(秒)",
    "wait_p90": "等候P90(秒)",
    "wait_max": "最长等候(秒)",
    "service_mean": "平均办理(秒)",
    "service_median": "办理中位数(秒)",
    "service_p90": "办理P90(秒)",
    "service_max": "最长办理(秒)",
    "at_window_mean": "平均窗口时长(秒)",
    "at_window_median": "窗口时长中位数(秒)",
    "at_window_p90": "窗口时长P90(秒)",
    "at_window_max": "最长窗口时长(秒)",
    "within_target": "目标内叫号",
    "within_target_share": "目标内比例",
    "no_show_rate": "过号率",
    "pauses": "暂停次数",
    "pause_seconds": "暂停时长(秒)",
    "evaluations": "评价数",
    "defaulted": "默认好评",
    "very_satisfied": "非常满意",
    "satisfied": "满意",
    "basically_satisfied": "基本满意",
    "dissatisfied": "不满意",
    "very_dissatisfied": "非常不满意",
    "satisfaction_score": "满意度均分",
    "satisfaction_rate": "满意率",
}

GROUP_LABELS: Final[dict[str, str]] = {
    "category": "业务类别",
    "window": "窗口",
    "clerk": "工作人员",
    "hour": "时段",
    "day": "日期",
    "hall": "大厅",
}

CROSS_REGION_LABELS: Final[dict[str, str]] = {
    "key": "大厅代码",
    "label": "大厅",
    "received_for_others": "为他厅收件",
    "decided_for_others": "为他厅办结",
    "on_time": "按时步骤",
    "late": "超时步骤",
    "on_time_share": "按时率",
    "delivered": "本期送达",
    "working_days_mean": "收件至送达平均工作日",
}
"""The 市域通办 report's columns; states and steps are named by the two tables below."""

STATE_LABELS: Final[dict[str, str]] = {
    "received": "已收件",
    "forwarded": "已转递",
    "accepted": "已受理",
    "returned": "需补正",
    "decided": "已办结",
    "delivered": "已送达",
}

STEP_KIND_LABELS: Final[dict[str, str]] = {
    "forward": "转递",
    "accept": "受理",
    "return": "补正告知",
    "decide": "办结",
    "deliver": "送达",
}

STEP_FIGURE_LABELS: Final[dict[str, str]] = {
    "counted": "计数",
    "on_time": "按时",
    "late": "超时",
    "on_time_share": "按时率",
}
"""The figures of each step kind, in the order of the export's columns."""

SELF_SERVICE_LABELS: Final[dict[str, str]] = {
    "hall": "大厅代码",
    "device": "设备",
    "label": "名称",
    "open_seconds": "开放时长(秒)",
    "available_seconds": "完好时长(秒)",
    "availability": "完好率",
    "inspections_due": "应巡检",
    "inspections_on_time": "按时巡检",
    "inspections_missed": "漏检",
    "inspections_on_time_share": "按时巡检率",
    "faults": "故障报修",
    "repaired": "修复验收",
    "repair_seconds_mean": "平均修复时长(秒)",
    "help_requests": "一键求助",
    "help_acknowledged": "已响应",
    "help_escalated": "超时未响应",
    "help_response_seconds_mean": "平均响应时长(秒)",
    "help_response_seconds_p90": "响应时长P90(秒)",
}
"""The self-service zone report's columns; rounds and fault sources by the tables below."""

REPAIR_SOURCE_LABELS: Final[dict[str, str]] = {
    "inspection": "巡检发现",
    "staff": "人工报修",
    "heartbeat": "设备自报",
    "offline": "离线",
}

ROUND_FIGURE_LABELS: Final[dict[str, str]] = {
    "due": "应检",
    "on_time": "按时",
    "missed": "漏检",
    "on_time_share": "按时率",
}
"""The figures of each inspection round, in the order of the export's columns."""
