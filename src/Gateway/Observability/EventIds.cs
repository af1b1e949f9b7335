namespace Gateway.Observability;

/// <summary>
/// Every log event id in one place, so that ids stay unique and stable for operators who alert on them.
/// Ranges, one per capability folder: 1xx Configuration, 2xx Hosting, 3xx Routing, 4xx Access, 5xx RuntimeApi,
/// 6xx Tls (and Acme), 7xx Tcp, 8xx Knock, 9xx State, 10xx Observability, 11xx Kubernetes.
/// </summary>
internal static class EventIds
{
    public const int ConfigReloaded = 100;
    public const int ConfigReloadRejected = 101;
    public const int ConfigErrorDetail = 102;
    public const int ConfigNeedsRestart = 103;
    public const int StateDirectoryNeedsRestart = 104;
    public const int KubernetesNeedsRestart = 105;

    public const int ListenerBound = 200;
    public const int ManagementNotLoopback = 201;
    public const int StateDirectoryCreated = 202;
    public const int StateDirectoryTooOpen = 203;
    public const int GatewayStarted = 204;

    public const int ProxyError = 300;
    public const int NoRoute = 301;
    public const int RoutingApplied = 302;
    public const int RoutingApplyFailed = 303;

    public const int AccessAudit = 400;
    public const int AccessRejected = 401;
    public const int KatRedeemed = 402;
    public const int KatRefused = 403;
    public const int AccessSwept = 404;
    public const int KatStoreUnavailable = 405;

    public const int RuntimeApiListening = 500;
    public const int RuntimeApiTcpNotLoopback = 501;
    public const int RuntimeApiAcceptFailed = 502;
    public const int RuntimeApiProtocolError = 503;
    public const int RuntimeApiTimedOut = 504;
    public const int RuntimeApiDisconnected = 505;
    public const int RuntimeApiSessionFailed = 506;
    public const int RuntimeApiStoreUnavailable = 507;
    public const int RuntimeApiServerState = 508;
    public const int RuntimeApiNeedsRestart = 509;
    public const int AdminApiDenied = 520;
    public const int AdminApiStoreUnavailable = 521;

    public const int StateLoaded = 900;
    public const int StateJournalCut = 901;
    public const int StateWriteFailed = 902;
    public const int StateCompacted = 903;
    public const int StateCompactionFailed = 904;
    public const int StatePostgresMigrated = 905;
    public const int StatePostgresReloaded = 906;
    public const int StatePostgresUnreachable = 907;

    public const int CertificatesLoaded = 600;
    public const int CertificateProblem = 601;
    public const int CertificateKeptPrevious = 602;
    public const int SelfSignedCreated = 603;
    public const int NoCertificateForSni = 604;
    public const int ClientHelloTimedOut = 605;
    public const int NotClientHello = 606;

    public const int AcmeHttp01Served = 650;
    public const int AcmeTlsAlpnServed = 651;
    public const int AcmeTlsAlpnUnknown = 652;
    public const int AcmeAccountCreated = 653;
    public const int AcmeAccountReused = 654;
    public const int AcmeOrdering = 655;
    public const int AcmeIssued = 656;
    public const int AcmeFailed = 657;
    public const int AcmeCertificateLoaded = 658;
    public const int AcmeRenewalScheduled = 659;
    public const int AcmeBadNonce = 660;
    public const int AcmeRenewalInfoFailed = 661;
    public const int AcmeStoredCertificateUnusable = 662;
    public const int AcmeChallengeValidating = 663;
    public const int AcmeCertificatePickedUp = 664;
    public const int AcmeOrderingElsewhere = 665;
    public const int AcmeStorageUnavailable = 666;
    public const int AcmeCertificateNotStored = 667;
    public const int AcmeCertificateStoredLate = 668;

    public const int AccessLogWriteFailed = 1000;
    public const int AccessLogRecovered = 1001;
    public const int AccessLogReopened = 1002;
    public const int AccessLogReopenFailed = 1003;
    public const int OtlpExportStarted = 1010;
    public const int ShutdownStarted = 1020;
    public const int ShutdownDraining = 1021;
    public const int ShutdownDrainRequested = 1022;

    public const int TcpConnectionClosed = 700;
    public const int TcpNoRoute = 701;
    public const int TcpAccessRejected = 702;
    public const int TcpConnectFailed = 703;
    public const int TcpNoDestination = 704;
    public const int TcpDestinationDown = 705;
    public const int TcpDestinationUp = 706;
    public const int TcpNotTlsRefused = 707;
    public const int TcpPeekTimedOut = 708;
    public const int TcpHealthCheckFailed = 709;
    public const int ProxyProtocolAccepted = 710;
    public const int ProxyProtocolRefused = 711;
    public const int ProxyProtocolUntrusted = 712;
    public const int TcpInvalidTlsRefused = 713;

    public const int LoginStarted = 800;
    public const int LoginSucceeded = 801;
    public const int LoginFailed = 802;
    public const int OidcMetadataLoaded = 803;
    public const int OidcMetadataFailed = 804;
    public const int OidcKeysRefreshed = 805;
    public const int PortalAllowed = 806;
    public const int PortalRevoked = 807;
    public const int PortalRefused = 808;
    public const int PortalFormRejected = 809;
    public const int GrantEnded = 810;
    public const int ForwardAuthDenied = 811;
    public const int ForwardAuthFailed = 812;
    public const int RateLimited = 813;
    public const int LoggedOut = 814;
    public const int GrantEndNotRecorded = 815;
    public const int PortalStoreUnavailable = 816;

    public const int KubernetesListed = 1100;
    public const int KubernetesWatchGone = 1101;
    public const int KubernetesWatchFailed = 1102;
    public const int KubernetesIngressRejected = 1103;
    public const int KubernetesIngressAccepted = 1104;
    public const int KubernetesRuleSkipped = 1105;
    public const int KubernetesApplyFailed = 1106;
    public const int KubernetesStatusWritten = 1107;
    public const int KubernetesStatusFailed = 1108;
    public const int KubernetesStarted = 1109;
    public const int KubernetesBookmark = 1110;
}
