import CMosquitto
import Foundation

/// libmosquitto must be initialised once per process before any client exists.
private let libraryInitialised: Bool = {
    mosquitto_lib_init()
    return true
}()

/// An MQTT client over libmosquitto's threaded loop.
///
/// libmosquitto owns the socket on its own thread and reconnects there with the configured
/// exponential backoff; this class turns its callbacks into an `AsyncStream` of messages and
/// into awaitable publishes. Subscriptions are remembered and sent again after every
/// reconnect, so a broker that lost its state (clean session) still delivers.
public final class MQTTClient: @unchecked Sendable {
    public let options: MQTTOptions
    /// Every message of every subscription, in arrival order.
    public let messages: AsyncStream<MQTTMessage>

    private let handle: OpaquePointer
    private let continuation: AsyncStream<MQTTMessage>.Continuation
    // Guards everything below: callbacks run on libmosquitto's thread, callers on theirs.
    private let lock = NSLock()
    private var subscriptions: [(topic: String, qos: MQTTQoS)] = []
    private var connected = false
    private var connectWaiters: [CheckedContinuation<Void, any Error>] = []
    private var publishWaiters: [Int32: CheckedContinuation<Void, any Error>] = [:]
    private var ackSerial: UInt64 = 0
    private var ackedEarly: [Int32: UInt64] = [:]
    private var nextSequence: UInt64 = 0
    private var loopStarted = false
    private var closed = false
    /// Connections made (1 after the first CONNACK, +1 per reconnect): tests and logs read it.
    public private(set) var connectionCount = 0

    public init(options: MQTTOptions) throws {
        _ = libraryInitialised
        try options.validate()
        self.options = options
        (messages, continuation) = AsyncStream.makeStream(of: MQTTMessage.self, bufferingPolicy: .unbounded)
        guard let created = mosquitto_new(options.clientID, options.cleanSession, nil) else {
            throw MQTTError.library(call: "mosquitto_new", code: -1, message: String(cString: strerror(errno)))
        }
        handle = created
        mosquitto_user_data_set(handle, Unmanaged.passUnretained(self).toOpaque())
        do { try configure() } catch { mosquitto_destroy(handle); throw error }
    }

    deinit {
        close()
        mosquitto_destroy(handle)
    }

    private func configure() throws {
        let version = options.protocolVersion == .v5 ? MQTT_PROTOCOL_V5 : MQTT_PROTOCOL_V311
        try check("mosquitto_int_option", mosquitto_int_option(handle, MOSQ_OPT_PROTOCOL_VERSION, version))
        if let username = options.username {
            try check("mosquitto_username_pw_set", mosquitto_username_pw_set(handle, username, options.password))
        }
        if let tls = options.tls {
            try check("mosquitto_tls_set", mosquitto_tls_set(handle, tls.caFile, tls.caPath, tls.certificateFile, tls.keyFile, nil))
            if tls.allowInsecureHostname { try check("mosquitto_tls_insecure_set", mosquitto_tls_insecure_set(handle, true)) }
        }
        try check("mosquitto_reconnect_delay_set",
                  mosquitto_reconnect_delay_set(handle, options.reconnectDelaySeconds,
                                                max(options.reconnectDelaySeconds, options.reconnectDelayMaxSeconds), true))
        try check("mosquitto_max_inflight_messages_set", mosquitto_max_inflight_messages_set(handle, options.maxInflightMessages))
        mosquitto_connect_callback_set(handle) { _, object, code in MQTTClient.from(object)?.didConnect(code: code) }
        mosquitto_disconnect_callback_set(handle) { _, object, _ in MQTTClient.from(object)?.didDisconnect() }
        mosquitto_publish_callback_set(handle) { _, object, mid in MQTTClient.from(object)?.didPublish(mid: mid) }
        mosquitto_message_callback_set(handle) { _, object, message in
            guard let message else { return }
            MQTTClient.from(object)?.didReceive(message.pointee)
        }
    }

    private static func from(_ object: UnsafeMutableRawPointer?) -> MQTTClient? {
        object.map { Unmanaged<MQTTClient>.fromOpaque($0).takeUnretainedValue() }
    }

    // MARK: - Connection

    /// Connects and starts libmosquitto's network thread; returns after the first CONNACK.
    /// A broker that is not up yet is retried with the reconnect backoff until the timeout.
    public func connect() async throws {
        let state = lock.withLock { () -> (closed: Bool, connected: Bool, startLoop: Bool) in
            defer { loopStarted = true }
            return (closed, connected, !loopStarted)
        }
        if state.closed { throw MQTTError.closed }
        if state.connected { return }
        let startLoop = state.startLoop
        if startLoop {
            let code: Int32
            if options.protocolVersion == .v5 {
                // MQTT 5 ends a session at disconnect unless the CONNECT names an expiry;
                // libmosquitto keeps these properties for its reconnects.
                var properties: OpaquePointer?
                if !options.cleanSession {
                    mosquitto_property_add_int32(&properties, Int32(MQTT_PROP_SESSION_EXPIRY_INTERVAL.rawValue),
                                                 options.sessionExpirySeconds)
                }
                code = mosquitto_connect_bind_v5(handle, options.host, Int32(options.port), Int32(options.keepAliveSeconds), nil, properties)
                mosquitto_property_free_all(&properties)
            } else {
                code = mosquitto_connect_async(handle, options.host, Int32(options.port), Int32(options.keepAliveSeconds))
            }
            // A refused TCP connect is not fatal: the loop below retries with backoff.
            if code != MOSQ_ERR_SUCCESS.rawValue && code != MOSQ_ERR_ERRNO.rawValue && code != MOSQ_ERR_NO_CONN.rawValue {
                throw MQTTError.library(call: "mosquitto_connect", code: code, message: Self.explain(code))
            }
            try check("mosquitto_loop_start", mosquitto_loop_start(handle))
        }
        let timeout = options.connectTimeoutSeconds
        let timer = Task { [weak self] in
            try await Task.sleep(nanoseconds: UInt64(timeout * 1e9))
            self?.failConnectWaiters(MQTTError.connectTimedOut(seconds: timeout))
        }
        defer { timer.cancel() }
        try await withCheckedThrowingContinuation { (waiter: CheckedContinuation<Void, any Error>) in
            lock.lock()
            if connected { lock.unlock(); waiter.resume(); return }
            connectWaiters.append(waiter)
            lock.unlock()
        }
    }

    public var isConnected: Bool { lock.withLock { connected } }

    /// Disconnects cleanly, stops the network thread and ends `messages`.
    public func close() {
        lock.lock()
        if closed { lock.unlock(); return }
        closed = true
        let started = loopStarted
        let waiters = publishWaiters.values
        publishWaiters = [:]
        lock.unlock()
        if started {
            mosquitto_disconnect(handle)
            mosquitto_loop_stop(handle, false)
        }
        waiters.forEach { $0.resume(throwing: MQTTError.closed) }
        failConnectWaiters(MQTTError.closed)
        continuation.finish()
    }

    private func failConnectWaiters(_ error: MQTTError) {
        let waiters = lock.withLock { () -> [CheckedContinuation<Void, any Error>] in
            defer { connectWaiters = [] }
            return connectWaiters
        }
        waiters.forEach { $0.resume(throwing: error) }
    }

    // MARK: - Subscribe and publish

    /// Subscribes now if connected, and again after every reconnect.
    public func subscribe(_ topic: String, qos: MQTTQoS) throws {
        let sendNow = lock.withLock { () -> Bool in
            subscriptions.append((topic, qos))
            return connected
        }
        if sendNow { try check("mosquitto_subscribe", mosquitto_subscribe(handle, nil, topic, qos.rawValue)) }
    }

    /// Publishes and, at QoS 1, waits for the broker's PUBACK. While the broker is away
    /// libmosquitto keeps the message and sends it after the reconnect.
    public func publish(_ topic: String, payload: [UInt8], qos: MQTTQoS, retain: Bool = false) async throws {
        guard qos == .atLeastOnce else {
            try enqueue(topic, payload: payload, qos: qos, retain: retain)
            return
        }
        // Never hold `lock` across a libmosquitto call: its thread may be inside a callback
        // that waits for `lock` while holding a mutex that mosquitto_publish needs.
        // An acknowledgement can arrive before the waiter below is registered; it is kept in
        // `ackedEarly` with its serial, and only one newer than `before` belongs to this
        // publish (message ids wrap around, QoS 0 sends report ids too).
        let before = lock.withLock { ackSerial }
        let mid = try enqueue(topic, payload: payload, qos: qos, retain: retain)
        try await withCheckedThrowingContinuation { (waiter: CheckedContinuation<Void, any Error>) in
            lock.lock()
            if let serial = ackedEarly.removeValue(forKey: mid), serial > before { lock.unlock(); waiter.resume(); return }
            if closed { lock.unlock(); waiter.resume(throwing: MQTTError.closed); return }
            publishWaiters[mid] = waiter
            lock.unlock()
        }
    }

    /// Hands a message to libmosquitto without waiting for any acknowledgement; returns its
    /// message id. For senders that measure or pace themselves.
    @discardableResult
    public func enqueue(_ topic: String, payload: [UInt8], qos: MQTTQoS, retain: Bool = false) throws -> Int32 {
        var mid: Int32 = 0
        let code = payload.withUnsafeBytes { bytes in
            mosquitto_publish(handle, &mid, topic, Int32(bytes.count), bytes.baseAddress, qos.rawValue, retain)
        }
        // A connection error here comes from the first send, after libmosquitto queued the
        // message: at QoS 1 it is sent again after the reconnect; at QoS 0 it is dropped,
        // which "at most once" allows. Other errors (bad topic, oversize) mean not queued.
        let connectionErrors = [MOSQ_ERR_NO_CONN, MOSQ_ERR_CONN_LOST, MOSQ_ERR_ERRNO].map(\.rawValue)
        if code != MOSQ_ERR_SUCCESS.rawValue && !connectionErrors.contains(code) {
            throw MQTTError.library(call: "mosquitto_publish", code: code, message: Self.explain(code))
        }
        return mid
    }

    // MARK: - Callbacks (libmosquitto's thread)

    private func didConnect(code: Int32) {
        lock.lock()
        guard code == 0 else {
            let refusal = MQTTError.connectionRefused(code: code, message: String(cString: mosquitto_connack_string(code)))
            let waiters = connectWaiters
            connectWaiters = []
            lock.unlock()
            waiters.forEach { $0.resume(throwing: refusal) }
            return
        }
        connected = true
        connectionCount += 1
        let topics = subscriptions
        let waiters = connectWaiters
        connectWaiters = []
        lock.unlock()
        for (topic, qos) in topics { mosquitto_subscribe(handle, nil, topic, qos.rawValue) }
        waiters.forEach { $0.resume() }
    }

    private func didDisconnect() {
        lock.withLock { connected = false }
    }

    private func didPublish(mid: Int32) {
        lock.lock()
        ackSerial += 1
        if let waiter = publishWaiters.removeValue(forKey: mid) {
            lock.unlock()
            waiter.resume()
        } else {
            ackedEarly[mid] = ackSerial  // at most one entry per message id (65,535)
            lock.unlock()
        }
    }

    private func didReceive(_ message: mosquitto_message) {
        let payload = message.payloadlen > 0 && message.payload != nil
            ? Array(UnsafeRawBufferPointer(start: message.payload, count: Int(message.payloadlen)))
            : []
        let sequence = lock.withLock { () -> UInt64 in
            defer { nextSequence += 1 }
            return nextSequence
        }
        continuation.yield(MQTTMessage(topic: String(cString: message.topic), payload: payload,
                                       qos: MQTTQoS(rawValue: message.qos) ?? .atLeastOnce,
                                       retained: message.retain, sequence: sequence))
    }

    // MARK: - Errors

    private func check(_ call: String, _ code: Int32) throws {
        if code != MOSQ_ERR_SUCCESS.rawValue { throw MQTTError.library(call: call, code: code, message: Self.explain(code)) }
    }

    static func explain(_ code: Int32) -> String {
        code == MOSQ_ERR_ERRNO.rawValue ? String(cString: strerror(errno)) : String(cString: mosquitto_strerror(code))
    }
}
