using Gozar.Configuration;
using Gozar.Sessions;
using Gozar.Users;
using Microsoft.Extensions.Time.Testing;

namespace Gozar.Tests.Users;

public class UserAccountTests
{
    private static readonly byte[] Key = new byte[16];
    private static readonly ClientAddressKeys Keys = new(new byte[ClientAddressKeys.SaltLength], plain: false);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 30, 12, 0, 0, TimeSpan.Zero));
    private readonly List<SessionOutcome> _ended = [];

    private UserAccount Account(UserOptions options, TimeSpan? window = null)
    {
        var registry = new UserRegistry(_time, (_, outcome) =>
        {
            lock (_ended)
            {
                _ended.Add(outcome);
            }
        });
        registry.Apply([options], window ?? TimeSpan.FromMinutes(10));
        return registry.Accounts[0];
    }

    private static UserOptions User(Func<UserOptions, UserOptions>? change = null) =>
        change is null ? new UserOptions("alice", Key) : change(new UserOptions("alice", Key));

    [Fact]
    public void TryOpen_MaxConnectionsReached_RefusesUntilOneCloses()
    {
        var account = Account(User(u => u with { MaxConnections = 2 }));
        var now = _time.GetUtcNow();

        Assert.Equal(UserAdmission.Admitted, account.TryOpen("a", now));
        Assert.Equal(UserAdmission.Admitted, account.TryOpen("a", now));
        Assert.Equal(UserAdmission.TooManyConnections, account.TryOpen("a", now));
        account.Close("a", now);

        Assert.Equal(UserAdmission.Admitted, account.TryOpen("a", now));
    }

    [Fact]
    public void TryOpen_KeyNoLongerTheUsers_RefusedAsRekeyed()
    {
        var account = Account(User());
        var now = _time.GetUtcNow();
        var old = (byte[])Key.Clone();
        old[0] ^= 1;

        Assert.Equal(UserAdmission.Rekeyed, account.TryOpen("a", now, old));
        Assert.Equal(UserAdmission.Admitted, account.TryOpen("a", now, Key));
        Assert.Equal(1, account.ActiveSessions);
    }

    [Fact]
    public void TryOpen_MaxUniqueIps_RefusesANewAddressUntilTheWindowPasses()
    {
        var account = Account(User(u => u with { MaxUniqueIps = 1 }), TimeSpan.FromMinutes(10));
        Assert.Equal(UserAdmission.Admitted, account.TryOpen("a", _time.GetUtcNow()));
        Assert.Equal(UserAdmission.TooManyIps, account.TryOpen("b", _time.GetUtcNow()));
        Assert.Equal(UserAdmission.Admitted, account.TryOpen("a", _time.GetUtcNow()));

        account.Close("a", _time.GetUtcNow());
        account.Close("a", _time.GetUtcNow());
        _time.Advance(TimeSpan.FromMinutes(9));
        Assert.Equal(UserAdmission.TooManyIps, account.TryOpen("b", _time.GetUtcNow()));
        _time.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(UserAdmission.Admitted, account.TryOpen("b", _time.GetUtcNow()));
        Assert.Equal(1, account.Snapshot(_time.GetUtcNow()).UniqueIps);
    }

    [Fact]
    public void TryOpen_Disabled_Refuses()
    {
        var account = Account(User(u => u with { Enabled = false }));

        Assert.Equal(UserAdmission.Disabled, account.TryOpen("a", _time.GetUtcNow()));
        Assert.Equal(1, account.Snapshot(_time.GetUtcNow()).Rejected[(int)UserAdmission.Disabled]);
    }

    [Fact]
    public void Enforce_ExpiresPassedWithOpenSession_EndsItAndRefusesNewOnes()
    {
        var account = Account(User(u => u with { Expires = _time.GetUtcNow().AddHours(1) }));
        Assert.Equal(UserAdmission.Admitted, account.TryOpen("a", _time.GetUtcNow()));

        _time.Advance(TimeSpan.FromHours(1));
        account.Enforce(_time.GetUtcNow());

        Assert.Equal([SessionOutcome.UserExpired], _ended);
        Assert.Equal(UserAdmission.Expired, account.TryOpen("a", _time.GetUtcNow()));
        Assert.Equal(UserStatus.Expired, account.Snapshot(_time.GetUtcNow()).Status);
    }

    [Fact]
    public async Task Count_QuotaCrossed_EndsSessionsOnceAndRefusesNewOnes()
    {
        var account = Account(User(u => u with { Quota = 1000 }));
        Assert.Equal(UserAdmission.Admitted, account.TryOpen("a", _time.GetUtcNow()));

        account.Up.Count(600);
        account.Down.Count(500);
        account.Down.Count(500);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (_ended.Count == 0)
        {
            await Task.Delay(5, timeout.Token);
        }

        Assert.Equal([SessionOutcome.QuotaExhausted], _ended);
        Assert.Equal(UserAdmission.QuotaExhausted, account.TryOpen("a", _time.GetUtcNow()));
        Assert.Equal(600, account.BytesUp);
        Assert.Equal(1000, account.BytesDown);
    }

    [Fact]
    public void TryOpen_MonthlyQuotaUsedUp_AdmitsAgainInTheNextMonth()
    {
        var account = Account(User(u => u with { Quota = 100, QuotaReset = QuotaReset.Monthly }));
        account.Up.Count(100);
        Assert.Equal(UserAdmission.QuotaExhausted, account.TryOpen("a", _time.GetUtcNow()));

        _time.Advance(TimeSpan.FromDays(1));
        Assert.Equal(UserAdmission.QuotaExhausted, account.TryOpen("a", _time.GetUtcNow()));
        _time.Advance(TimeSpan.FromDays(1));

        Assert.Equal(UserAdmission.Admitted, account.TryOpen("a", _time.GetUtcNow()));
        var usage = account.Snapshot(_time.GetUtcNow());
        Assert.Equal(0, usage.QuotaUsed);
        Assert.Equal(100, usage.BytesUp);
        Assert.Equal(new DateTimeOffset(2026, 2, 1, 0, 0, 0, TimeSpan.Zero), usage.PeriodStart);
    }

    [Fact]
    public void TryOpen_NeverResettingQuota_StaysExhaustedNextMonth()
    {
        var account = Account(User(u => u with { Quota = 100 }));
        account.Up.Count(100);

        _time.Advance(TimeSpan.FromDays(40));

        Assert.Equal(UserAdmission.QuotaExhausted, account.TryOpen("a", _time.GetUtcNow()));
    }

    [Fact]
    public void Apply_QuotaRaised_AdmitsAgain()
    {
        var registry = new UserRegistry(_time, (_, _) => { });
        registry.Apply([User(u => u with { Quota = 100 })], TimeSpan.Zero);
        registry.Accounts[0].Up.Count(150);
        Assert.Equal(UserAdmission.QuotaExhausted, registry.Accounts[0].TryOpen("a", _time.GetUtcNow()));

        var changes = registry.Apply([User(u => u with { Quota = 1000 })], TimeSpan.Zero);

        Assert.Equal(["user alice changed"], changes);
        Assert.Equal(UserAdmission.Admitted, registry.Accounts[0].TryOpen("a", _time.GetUtcNow()));
        Assert.Equal(150, registry.Snapshot()[0].QuotaUsed);
    }

    [Fact]
    public void Apply_UserRemovedWithOpenSession_EndsItAndRefusesTheOldAccount()
    {
        var registry = new UserRegistry(_time, (_, outcome) => _ended.Add(outcome));
        registry.Apply([User(), new UserOptions("bob", new byte[16] { 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 })], TimeSpan.Zero);
        var alice = registry.Accounts[0];
        Assert.Equal(UserAdmission.Admitted, alice.TryOpen("a", _time.GetUtcNow()));

        var changes = registry.Apply([registry.Accounts[1].Options], TimeSpan.Zero);

        Assert.Equal(["user alice removed"], changes);
        Assert.Equal([SessionOutcome.UserRevoked], _ended);
        Assert.Equal(UserAdmission.Removed, alice.TryOpen("a", _time.GetUtcNow()));
        Assert.Equal("bob", Assert.Single(registry.Snapshot()).Name);
    }

    [Fact]
    public void Export_ThenImport_RestoresUsageAndRecentAddresses()
    {
        var account = Account(User(u => u with { Quota = 1000, MaxUniqueIps = 1 }));
        Assert.Equal(UserAdmission.Admitted, account.TryOpen("a", _time.GetUtcNow()));
        account.Up.Count(300);
        var saved = account.Export(_time.GetUtcNow(), Keys);

        var restored = Account(User(u => u with { Quota = 1000, MaxUniqueIps = 1 }));
        restored.Import(saved, _time.GetUtcNow(), Keys);

        var usage = restored.Snapshot(_time.GetUtcNow());
        Assert.Equal(300, usage.QuotaUsed);
        Assert.Equal(1, usage.UniqueIps);
        Assert.Equal(UserAdmission.TooManyIps, restored.TryOpen("b", _time.GetUtcNow()));
    }

    [Fact]
    public void Import_RecordOfANeverResettingQuotaIntoAMonthlyOne_KeepsTheUsageAsAReloadDoes()
    {
        var never = Account(User(u => u with { Quota = 1000 }));
        never.Up.Count(300);
        var saved = never.Export(_time.GetUtcNow(), Keys);
        var monthly = User(u => u with { Quota = 1000, QuotaReset = QuotaReset.Monthly });

        var restarted = Account(monthly);
        restarted.Import(saved, _time.GetUtcNow(), Keys);
        never.Update(monthly, TimeSpan.FromDays(1), _time.GetUtcNow());

        var afterRestart = restarted.Snapshot(_time.GetUtcNow());
        var afterReload = never.Snapshot(_time.GetUtcNow());
        Assert.Equal(300, afterRestart.QuotaUsed);
        Assert.Equal(afterReload.QuotaUsed, afterRestart.QuotaUsed);
        Assert.Equal(afterReload.PeriodStart, afterRestart.PeriodStart);
    }
}
