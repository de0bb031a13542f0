namespace SmsGateway.Accept;

/// <summary>A dependency the accept path calls for every request (issue 12 item 5: <c>/send</c> fails fast while one is down).</summary>
public enum AcceptDependency
{
    /// <summary>The message broker (<c>sms-express</c> / <c>sms-normal</c> publish).</summary>
    Broker = 0,

    /// <summary>The balance ledger (reserve; also issues the lock's fencing token).</summary>
    Ledger = 1,

    /// <summary>The lock nodes' quorum (Redlock, N/2+1).</summary>
    LockQuorum = 2,
}
