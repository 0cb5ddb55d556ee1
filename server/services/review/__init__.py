"""The review chain (issue 15): calendar, routing, actions, quotas, queues, the 附件2 sheet."""
