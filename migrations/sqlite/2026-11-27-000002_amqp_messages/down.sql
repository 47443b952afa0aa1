DROP TABLE amqp_messages;
