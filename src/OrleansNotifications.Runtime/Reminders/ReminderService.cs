using System.Reflection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansNotifications.Runtime.Hosting;

namespace OrleansNotifications.Runtime.Reminders;

/// <summary>
/// Polls the reminder table and wakes the grains (of this node) whose reminders are due. A reminder is deleted only after
/// the grain handled it, so a crash in between makes it fire again: grains treat reminders as at-least-once.
/// </summary>
public sealed partial class ReminderService(
    IReminderTable table,
    IGrainCallInvoker invoker,
    IGrainPlacement placement,
    TimeProvider time,
    IOptions<GrainRuntimeOptions> options,
    ILogger<ReminderService> logger) : BackgroundService
{
    private const int BatchSize = 500;
    private static readonly MethodInfo ReceiveReminder = typeof(IRemindable).GetMethod(nameof(IRemindable.ReceiveReminder))!;
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ReminderPollInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await PollOnceAsync();
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    LogPollFailed(logger, exception);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Fires every reminder due now; returns how many fired. Tests call it directly after moving the clock.</summary>
    public async Task<int> PollOnceAsync()
    {
        var fired = 0;
        while (true)
        {
            var due = await table.GetDueAsync(time.GetUtcNow(), BatchSize);
            var mine = due.Where(r => placement.IsLocal(r.Grain)).ToList();
            await Task.WhenAll(mine.Select(FireAsync));
            fired += mine.Count;
            if (due.Count < BatchSize)
            {
                return fired;
            }
        }
    }

    private async Task FireAsync(ReminderEntry reminder)
    {
        try
        {
            await invoker.InvokeAsync<object>(reminder.Grain, ReceiveReminder, [reminder.Name]);
        }
        catch (Exception exception)
        {
            // The grain did not handle it: try again a little later (the grain may have moved it meanwhile; that wins below).
            LogReminderFailed(logger, reminder.Name, reminder.Grain, exception);
            await table.UpsertAsync(reminder with { DueAt = time.GetUtcNow() + RetryDelay });
            return;
        }

        // Handled. Remove it unless the grain moved it while handling; if this delete fails the reminder simply fires again,
        // which grains tolerate (at-least-once), so it is never rescheduled behind the grain's back.
        try
        {
            await table.DeleteAsync(reminder.Grain, reminder.Name, ifDueAt: reminder.DueAt);
        }
        catch (Exception exception)
        {
            LogReminderFailed(logger, reminder.Name, reminder.Grain, exception);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Polling reminders failed")]
    private static partial void LogPollFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reminder {Name} of grain {GrainId} failed; retrying later")]
    private static partial void LogReminderFailed(ILogger logger, string name, GrainId grainId, Exception exception);
}
